package keycrypto

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"testing"
)

func TestMacAgreesWithCryptoHMAC(t *testing.T) {
	tests := []struct {
		spec, alg string
		h         func() hash.Hash
		size      int
	}{
		{"HMAC_224", "HMAC_SHA_224", sha256.New224, 28},
		{"HMAC_256", "HMAC_SHA_256", sha256.New, 32},
		{"HMAC_384", "HMAC_SHA_384", sha512.New384, 48},
		{"HMAC_512", "HMAC_SHA_512", sha512.New, 64},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			generated, _ := keyOf(t, tc.spec)
			if len(generated) != tc.size {
				t.Errorf("generated key is %d bytes, want %d", len(generated), tc.size)
			}
			imported, err := ParseImported(tc.spec, bytes.Repeat([]byte{0x5c}, 128))
			if err != nil {
				t.Fatal(err)
			}
			for name, key := range map[string][]byte{"generated": generated, "imported 1024-bit": imported} {
				msg := []byte("message to MAC")
				got, err := GenerateMac(tc.spec, tc.alg, key, msg)
				if err != nil {
					t.Fatal(err)
				}
				h := hmac.New(tc.h, key)
				h.Write(msg)
				if want := h.Sum(nil); len(got) != tc.size || !bytes.Equal(got, want) {
					t.Fatalf("%s: MAC %x, crypto/hmac %x", name, got, want)
				}
				if err := VerifyMac(tc.spec, tc.alg, key, msg, got); err != nil {
					t.Fatalf("%s: VerifyMac: %v", name, err)
				}
				wantException(t, VerifyMac(tc.spec, tc.alg, key, []byte("other message"), got), ExcInvalidMac, "")
				wantException(t, VerifyMac(tc.spec, tc.alg, key, msg, got[:len(got)-1]), ExcInvalidMac, "")
				bad := bytes.Clone(got)
				bad[0] ^= 1
				wantException(t, VerifyMac(tc.spec, tc.alg, key, msg, bad), ExcInvalidMac, "")
			}
		})
	}
}

func TestMacRules(t *testing.T) {
	key, _ := keyOf(t, "HMAC_224")
	_, err := GenerateMac("HMAC_224", "HMAC_SHA_256", key, []byte("m"))
	wantException(t, err, ExcInvalidKeyUsage, "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.")
	_, err = GenerateMac("HMAC_224", "INVALID", key, []byte("m"))
	wantException(t, err, ExcValidation, "1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]")
	_, err = GenerateMac("HMAC_224", "HMAC_SHA_224", key, make([]byte, 4097))
	wantException(t, err, ExcValidation, "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096")
	wantException(t, VerifyMac("HMAC_224", "HMAC_SHA_512", key, []byte("m"), []byte{1}), ExcInvalidKeyUsage,
		"Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_224.")
	_, pub := keyOf(t, "RSA_2048")
	_, err = GenerateMac("RSA_2048", "HMAC_SHA_256", pub, []byte("m"))
	wantException(t, err, ExcInvalidKeyUsage, "Algorithm HMAC_SHA_256 is incompatible with key spec RSA_2048.")
	_, err = PublicKey("HMAC_256", key)
	wantException(t, err, ExcUnsupported, "")
}
