package keycrypto

import (
	"crypto/hmac"
)

// macAlgorithm checks alg against HMAC key spec s: an enum error for an
// unknown name (in the order AWS was seen to print, hmac.md §6), template 2
// for another MAC algorithm or a key that is not an HMAC key.
func macAlgorithm(s *spec, alg string) error {
	switch alg {
	case "HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512":
	default:
		return enumError("macAlgorithm", alg, "HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512")
	}
	if s.kind != kindHMAC || alg != s.macAlg {
		return incompatible(alg, s.name)
	}
	return nil
}

// GenerateMac returns the untruncated RFC 2104 HMAC of message under key,
// the material of an HMAC key of spec specName (hmac.md §4).
func GenerateMac(specName, alg string, key, message []byte) ([]byte, error) {
	s, err := lookup(specName)
	if err != nil {
		return nil, err
	}
	if err := checkLength("message", message, 1, maxMessage); err != nil {
		return nil, err
	}
	if err := macAlgorithm(s, alg); err != nil {
		return nil, err
	}
	return mac(s, key, message), nil
}

// VerifyMac checks mac against the HMAC of message under key in constant
// time. A mismatch of any kind, including a truncated MAC, is
// KMSInvalidMacException with no message (hmac.md §5).
func VerifyMac(specName, alg string, key, message, macValue []byte) error {
	s, err := lookup(specName)
	if err != nil {
		return err
	}
	if err := checkLength("message", message, 1, maxMessage); err != nil {
		return err
	}
	if err := checkLength("mac", macValue, 1, 6144); err != nil {
		return err
	}
	if err := macAlgorithm(s, alg); err != nil {
		return err
	}
	want := mac(s, key, message)
	defer clear(want)
	if !hmac.Equal(want, macValue) {
		return errInvalidMac
	}
	return nil
}

func mac(s *spec, key, message []byte) []byte {
	h := hmac.New(s.hash.New, key)
	h.Write(message)
	return h.Sum(nil)
}
