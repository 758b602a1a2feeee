package keycrypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
)

// maxHMACImport is the longest HMAC material AWS imports: 1024 bits
// (import.md §1, hmac.md §1).
const maxHMACImport = 128

// ParseImported checks key material a client imports (after unwrapping)
// into a KMS key of spec specName, and returns it in the form this package
// stores: for HMAC specs a copy of the raw key (hash length to 1024 bits);
// for RSA, ECC and Ed25519 specs the private key re-encoded as the PKCS#8
// DER that Generate makes. The input must be a DER PKCS#8 private key of
// the spec: an RSA key of exactly the spec's modulus size with two primes,
// an EC key on the spec's named curve (explicit parameters refused; an
// embedded public point, compressed, uncompressed or hybrid, must be the
// private key's), or an Ed25519 key. Anything else is
// IncorrectKeyMaterialException; ML-DSA material cannot be imported
// (UnsupportedOperationException). Messages never quote the material.
func ParseImported(specName string, material []byte) ([]byte, error) {
	s, err := lookup(specName)
	if err != nil {
		return nil, err
	}
	switch s.kind {
	case kindHMAC:
		if n := len(material); n < s.hash.Size() || n > maxHMACImport {
			return nil, incorrectMaterial("The key material for key spec %s must be %d to %d bytes long.", s.name, s.hash.Size(), maxHMACImport)
		}
		return bytes.Clone(material), nil
	case kindMLDSA:
		return nil, newError(ExcUnsupported, "KeySpec %s is not supported for Origin EXTERNAL", s.name)
	}
	var p pkcs8
	if rest, err := asn1.Unmarshal(material, &p); err != nil || len(rest) != 0 {
		return nil, incorrectMaterial("The key material is not a DER-encoded PKCS#8 private key.")
	}
	defer clear(p.PrivateKey)
	if got := materialSpec(&p); got != s.name {
		if got == "" {
			return nil, incorrectMaterial("The key material is not an RSA, ECC or Ed25519 private key with a named curve, so it cannot be imported into a key of spec %s.", s.name)
		}
		return nil, incorrectMaterial("The key material is for key spec %s, not %s.", got, s.name)
	}
	key, e := parseImportedKey(s, &p, material)
	if e != nil {
		return nil, e
	}
	defer zeroPrivate(key)
	return marshalPrivate(key)
}

// materialSpec names the key spec a PKCS#8 key would be: "" when it is
// none (another algorithm, an unknown or explicit curve, an unparsable RSA
// key). For RSA the modulus size decides, e.g. "RSA_1024" for a key that
// matches no spec.
func materialSpec(p *pkcs8) string {
	switch {
	case p.Algo.Algorithm.Equal(oidRSA):
		var k struct {
			Version int
			N       *big.Int
		}
		if _, err := asn1.Unmarshal(p.PrivateKey, &k); err != nil || k.N.Sign() <= 0 {
			return ""
		}
		return fmt.Sprintf("RSA_%d", k.N.BitLen())
	case p.Algo.Algorithm.Equal(oidECPublicKey):
		switch namedCurve(p.Algo.Parameters) {
		case curveP256:
			return "ECC_NIST_P256"
		case curveP384:
			return "ECC_NIST_P384"
		case curveP521:
			return "ECC_NIST_P521"
		case curveK256:
			return "ECC_SECG_P256K1"
		}
	case p.Algo.Algorithm.Equal(oidEd25519):
		return "ECC_NIST_EDWARDS25519"
	}
	return ""
}

// parseImportedKey decodes material already known to be of spec s.
func parseImportedKey(s *spec, p *pkcs8, material []byte) (any, *Error) {
	switch s.kind {
	case kindEC:
		return parseECPrivate(s.curve, p.PrivateKey)
	case kindRSA:
		var v struct{ Version int }
		if _, err := asn1.Unmarshal(p.PrivateKey, &v); err == nil && v.Version != 0 {
			return nil, incorrectMaterial("Multi-prime RSA keys are not supported; the key must have two primes.")
		}
		key, err := x509.ParsePKCS8PrivateKey(material)
		k, ok := key.(*rsa.PrivateKey)
		if err != nil || !ok || len(k.Primes) != 2 {
			return nil, incorrectMaterial("The key material is not a valid RSA private key.")
		}
		return k, nil
	case kindEd25519:
		key, err := x509.ParsePKCS8PrivateKey(material)
		k, ok := key.(ed25519.PrivateKey)
		if err != nil || !ok {
			return nil, incorrectMaterial("The key material is not a valid Ed25519 private key.")
		}
		return k, nil
	}
	return nil, incorrectMaterial("The key material cannot be imported into a key of spec %s.", s.name)
}
