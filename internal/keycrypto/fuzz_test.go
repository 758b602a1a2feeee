package keycrypto

import (
	"slices"
	"testing"
)

// FuzzParseImported: arbitrary material never panics, and whatever is
// accepted is usable material of the spec.
func FuzzParseImported(f *testing.F) {
	for _, spec := range []string{"RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519"} {
		priv, _ := keyOf(f, spec)
		f.Add(priv)
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	names := []string{"RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "HMAC_256", "ML_DSA_44"}
	f.Fuzz(func(t *testing.T, material []byte) {
		for _, spec := range names {
			stored, err := ParseImported(spec, material)
			if err != nil {
				if Exception(err) == "" {
					t.Fatalf("%s: internal error for client material: %v", spec, err)
				}
				continue
			}
			if specs[spec].kind == kindHMAC {
				continue
			}
			if _, err := PublicKey(spec, stored); err != nil {
				t.Fatalf("%s: accepted material has no public key: %v", spec, err)
			}
		}
	})
}

// FuzzVerify: arbitrary messages, signatures and message types never panic
// and never verify.
func FuzzVerify(f *testing.F) {
	specNames := signingSpecs()
	for i := range specNames {
		f.Add(uint8(i), uint8(0), "RAW", []byte("m"), []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	}
	f.Add(uint8(slices.Index(specNames, "ML_DSA_44")), uint8(0), "EXTERNAL_MU", make([]byte, 64), make([]byte, 2420))
	f.Fuzz(func(t *testing.T, which, algIndex uint8, mt string, message, sig []byte) {
		spec := specNames[int(which)%len(specNames)]
		_, pub := keyOf(t, spec)
		algs := specs[spec].signing
		alg := algs[int(algIndex)%len(algs)]
		err := Verify(spec, alg, mt, pub, message, sig)
		if err == nil {
			t.Fatalf("%s %s: a fuzzed signature verifies", spec, alg)
		}
		if Exception(err) == "" {
			t.Fatalf("%s %s: internal error: %v", spec, alg, err)
		}
	})
}
