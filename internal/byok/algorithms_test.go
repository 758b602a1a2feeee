package byok

import (
	"crypto"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// refAllowed is import.md §3's table, written out here independently of
// algorithms.go: per KMS key spec, the wrapping algorithms AWS accepts
// outside China Regions. SM2PKE is China-only and left out; a key spec
// that is not listed (ML-DSA, SM2) accepts nothing.
var refAllowed = map[string][]string{
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
	"ML_DSA_44":             nil,
	"ML_DSA_65":             nil,
	"ML_DSA_87":             nil,
	"SM2":                   nil, // China Regions only
}

// refPKCS1 lists the key specs for which allowPKCS1 admits
// RSAES_PKCS1_V1_5 (algorithms.go: "for symmetric and HMAC keys").
var refPKCS1 = []string{"SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"}

// refWant is the reference's verdict on one cell.
func refWant(keySpec, alg, wrappingSpec string, allowPKCS1 bool) bool {
	if !slices.Contains([]string{RSA2048, RSA3072, RSA4096}, wrappingSpec) {
		return false // SM2 is China-only; anything else is not a spec
	}
	if alg == RSAESPKCS1v15 {
		return allowPKCS1 && slices.Contains(refPKCS1, keySpec)
	}
	if !slices.Contains(refAllowed[keySpec], alg) {
		return false
	}
	// "Forbidden: ECC_NIST_P521 + RSA_2048 + any RSAES_OAEP_SHA_*".
	if keySpec == "ECC_NIST_P521" && wrappingSpec == RSA2048 && (alg == RSAESOAEPSHA1 || alg == RSAESOAEPSHA256) {
		return false
	}
	return true
}

// TestCheckCombination checks every cell: key spec × wrapping algorithm ×
// wrapping key spec × allowPKCS1.
func TestCheckCombination(t *testing.T) {
	keySpecs := make([]string, 0, len(refAllowed))
	for k := range refAllowed {
		keySpecs = append(keySpecs, k)
	}
	slices.Sort(keySpecs)
	algs := []string{RSAESPKCS1v15, RSAESOAEPSHA1, RSAESOAEPSHA256, RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256, SM2PKE, "", "RSAES_OAEP_SHA_512"}
	wrappingSpecs := []string{RSA2048, RSA3072, RSA4096, SM2, "RSA_1024", "RSA_8192", "", "rsa_2048"}
	for _, ks := range keySpecs {
		for _, alg := range algs {
			for _, ws := range wrappingSpecs {
				for _, pk := range []bool{false, true} {
					want := refWant(ks, alg, ws, pk)
					t.Run(fmt.Sprintf("%s/%s/%s/pkcs1=%v", ks, alg, ws, pk), func(t *testing.T) {
						err := CheckCombination(ks, alg, ws, pk)
						if (err == nil) == want {
							if err != nil {
								var ce *ErrCombination
								if !errors.As(err, &ce) || ce.Message == "" || ce.Error() != ce.Message {
									t.Fatalf("error %v (%T) is not an *ErrCombination with a message", err, err)
								}
							}
							return
						}
						if want {
							if ks == "ECC_NIST_EDWARDS25519" {
								regression(t, "CheckCombination refuses %s for ECC_NIST_EDWARDS25519: import.md §3 lists ECC_NIST_EDWARDS25519 in the ECC row, but algorithms.go's allowed map has no entry for it", alg)
							}
							t.Fatalf("CheckCombination = %v, want it allowed", err)
						}
						if alg == RSAESPKCS1v15 && pk && ws != SM2 && Bits(ws) != 0 && slices.Contains(refAllowed[ks], RSAESOAEPSHA1) {
							regression(t, "allowPKCS1 admits RSAES_PKCS1_V1_5 for %s: algorithms.go admits it for every key spec whose list holds RSAES_OAEP_SHA_1, which includes the ECC specs, not only symmetric and HMAC keys as its doc says (and for ECC_NIST_P521 it also skips the RSA_2048 size rule)", ks)
						}
						t.Fatalf("CheckCombination = nil, want a refusal")
					})
				}
			}
		}
	}
}

// TestCheckCombinationSpotChecks restates the rules the reference singles
// out, so a regression reads plainly.
func TestCheckCombinationSpotChecks(t *testing.T) {
	tests := []struct {
		name                  string
		keySpec, alg, wrapKey string
		pkcs1, ok             bool
	}{
		{"P-521 in RSA_2048 with OAEP-SHA-256", "ECC_NIST_P521", RSAESOAEPSHA256, RSA2048, false, false},
		{"P-521 in RSA_2048 with OAEP-SHA-1", "ECC_NIST_P521", RSAESOAEPSHA1, RSA2048, false, false},
		{"P-521 in RSA_2048 with RSA_AES", "ECC_NIST_P521", RSAAESKeyWrapSHA256, RSA2048, false, true},
		{"P-521 in RSA_3072 with OAEP-SHA-256", "ECC_NIST_P521", RSAESOAEPSHA256, RSA3072, false, true},
		{"P-384 in RSA_2048 with OAEP-SHA-256", "ECC_NIST_P384", RSAESOAEPSHA256, RSA2048, false, true},
		{"RSA key with OAEP", "RSA_2048", RSAESOAEPSHA256, RSA4096, false, false},
		{"RSA key with RSA_AES", "RSA_4096", RSAAESKeyWrapSHA1, RSA2048, false, true},
		{"symmetric with RSA_AES", "SYMMETRIC_DEFAULT", RSAAESKeyWrapSHA256, RSA4096, false, false},
		{"HMAC with RSA_AES", "HMAC_256", RSAAESKeyWrapSHA1, RSA2048, false, false},
		{"symmetric with PKCS1, not allowed", "SYMMETRIC_DEFAULT", RSAESPKCS1v15, RSA2048, false, false},
		{"symmetric with PKCS1, allowed", "SYMMETRIC_DEFAULT", RSAESPKCS1v15, RSA2048, true, true},
		{"HMAC with PKCS1, allowed", "HMAC_512", RSAESPKCS1v15, RSA3072, true, true},
		{"RSA key with PKCS1, allowed flag", "RSA_2048", RSAESPKCS1v15, RSA4096, true, false},
		{"PKCS1 allowed but SM2 wrapping key", "SYMMETRIC_DEFAULT", RSAESPKCS1v15, SM2, true, false},
		{"PKCS1 allowed but unknown wrapping key", "SYMMETRIC_DEFAULT", RSAESPKCS1v15, "RSA_1024", true, false},
		{"SM2PKE", "SYMMETRIC_DEFAULT", SM2PKE, RSA2048, false, false},
		{"SM2 wrapping key", "SYMMETRIC_DEFAULT", RSAESOAEPSHA256, SM2, false, false},
		{"SM2PKE with SM2 for an SM2 key", "SM2", SM2PKE, SM2, true, false},
		{"unknown wrapping spec", "SYMMETRIC_DEFAULT", RSAESOAEPSHA256, "RSA_1024", false, false},
		{"empty wrapping spec", "SYMMETRIC_DEFAULT", RSAESOAEPSHA256, "", false, false},
		{"ML-DSA", "ML_DSA_65", RSAAESKeyWrapSHA256, RSA4096, false, false},
		{"unknown key spec", "AES_128", RSAESOAEPSHA256, RSA2048, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckCombination(tc.keySpec, tc.alg, tc.wrapKey, tc.pkcs1)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckCombination(%s, %s, %s, %v) = %v, want ok=%v", tc.keySpec, tc.alg, tc.wrapKey, tc.pkcs1, err, tc.ok)
			}
		})
	}
}

func TestBitsAndHash(t *testing.T) {
	for _, tc := range []struct {
		spec string
		bits int
	}{{RSA2048, 2048}, {RSA3072, 3072}, {RSA4096, 4096}, {SM2, 0}, {"RSA_1024", 0}, {"", 0}} {
		if got := Bits(tc.spec); got != tc.bits {
			t.Errorf("Bits(%q) = %d, want %d", tc.spec, got, tc.bits)
		}
	}
	for _, s := range Specs {
		if Bits(s) == 0 {
			t.Errorf("Specs holds %q, which Bits does not know", s)
		}
	}
	for _, tc := range []struct {
		alg  string
		hash crypto.Hash
	}{
		{RSAESOAEPSHA1, crypto.SHA1}, {RSAAESKeyWrapSHA1, crypto.SHA1},
		{RSAESOAEPSHA256, crypto.SHA256}, {RSAAESKeyWrapSHA256, crypto.SHA256},
		{RSAESPKCS1v15, 0}, {SM2PKE, 0}, {"", 0},
	} {
		if got := hashOf(tc.alg); got != tc.hash {
			t.Errorf("hashOf(%q) = %v, want %v", tc.alg, got, tc.hash)
		}
	}
}
