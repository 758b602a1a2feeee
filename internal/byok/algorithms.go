package byok

import (
	"crypto"
	"fmt"
	"slices"
	"strings"
)

// Wrapping algorithm names, as the KMS API spells them.
const (
	RSAESPKCS1v15       = "RSAES_PKCS1_V1_5"
	RSAESOAEPSHA1       = "RSAES_OAEP_SHA_1"
	RSAESOAEPSHA256     = "RSAES_OAEP_SHA_256"
	RSAAESKeyWrapSHA1   = "RSA_AES_KEY_WRAP_SHA_1"
	RSAAESKeyWrapSHA256 = "RSA_AES_KEY_WRAP_SHA_256"
	SM2PKE              = "SM2PKE"
)

// Wrapping key specs.
const (
	RSA2048 = "RSA_2048"
	RSA3072 = "RSA_3072"
	RSA4096 = "RSA_4096"
	SM2     = "SM2"
)

// Specs lists the RSA wrapping key specs Trent offers.
var Specs = []string{RSA2048, RSA3072, RSA4096}

// Bits returns the modulus size of an RSA wrapping key spec, or 0.
func Bits(spec string) int {
	switch spec {
	case RSA2048:
		return 2048
	case RSA3072:
		return 3072
	case RSA4096:
		return 4096
	}
	return 0
}

// hashOf returns the OAEP hash of an algorithm, or 0 for PKCS#1 v1.5.
func hashOf(alg string) crypto.Hash {
	switch alg {
	case RSAESOAEPSHA1, RSAAESKeyWrapSHA1:
		return crypto.SHA1
	case RSAESOAEPSHA256, RSAAESKeyWrapSHA256:
		return crypto.SHA256
	}
	return 0
}

// allowed lists, per KMS key spec, the wrapping algorithms AWS accepts, in
// AWS's order of preference (the reference's combination table).
var allowed = map[string][]string{
	"SYMMETRIC_DEFAULT":     {RSAESOAEPSHA256, RSAESOAEPSHA1},
	"HMAC_224":              {RSAESOAEPSHA256, RSAESOAEPSHA1},
	"HMAC_256":              {RSAESOAEPSHA256, RSAESOAEPSHA1},
	"HMAC_384":              {RSAESOAEPSHA256, RSAESOAEPSHA1},
	"HMAC_512":              {RSAESOAEPSHA256, RSAESOAEPSHA1},
	"RSA_2048":              {RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1},
	"RSA_3072":              {RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1},
	"RSA_4096":              {RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1},
	"ECC_NIST_P256":         {RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1, RSAESOAEPSHA256, RSAESOAEPSHA1},
	"ECC_NIST_P384":         {RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1, RSAESOAEPSHA256, RSAESOAEPSHA1},
	"ECC_NIST_P521":         {RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1, RSAESOAEPSHA256, RSAESOAEPSHA1},
	"ECC_SECG_P256K1":       {RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1, RSAESOAEPSHA256, RSAESOAEPSHA1},
	"ECC_NIST_EDWARDS25519": {RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1, RSAESOAEPSHA256, RSAESOAEPSHA1},
}

// ErrCombination is the kind of error CheckCombination returns.
type ErrCombination struct{ Message string }

func (e *ErrCombination) Error() string { return e.Message }

// CheckCombination reports whether material of keySpec may be wrapped with
// alg under a wrapping key of wrappingSpec. allowPKCS1 admits the legacy
// RSAES_PKCS1_V1_5 for symmetric and HMAC keys.
func CheckCombination(keySpec, alg, wrappingSpec string, allowPKCS1 bool) error {
	switch {
	case alg == SM2PKE || wrappingSpec == SM2:
		return &ErrCombination{"SM2PKE and SM2 wrapping keys are supported only in China Regions."}
	case alg == RSAESPKCS1v15 && !allowPKCS1:
		return &ErrCombination{"The RSAES_PKCS1_V1_5 wrapping algorithm is not supported: AWS KMS withdrew it on 2023-10-10. Use RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1, or start the server with --allow-pkcs1v15-wrapping for legacy HSM firmware."}
	case Bits(wrappingSpec) == 0:
		return &ErrCombination{fmt.Sprintf("Wrapping key spec %s is not supported.", wrappingSpec)}
	}
	algs := allowed[keySpec]
	if alg == RSAESPKCS1v15 && (keySpec == "SYMMETRIC_DEFAULT" || strings.HasPrefix(keySpec, "HMAC_")) {
		return nil // legacy firmware wraps only secret keys this way
	}
	if !slices.Contains(algs, alg) {
		return &ErrCombination{fmt.Sprintf("Wrapping algorithm %s is not valid for key material of key spec %s.", alg, keySpec)}
	}
	if keySpec == "ECC_NIST_P521" && wrappingSpec == RSA2048 && hashOf(alg) != 0 && (alg == RSAESOAEPSHA1 || alg == RSAESOAEPSHA256) {
		return &ErrCombination{"ECC_NIST_P521 key material does not fit in RSA_2048 with an RSAES_OAEP wrapping algorithm; use RSA_AES_KEY_WRAP or a larger wrapping key."}
	}
	return nil
}
