package keycrypto

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"hash"
	"testing"
)

func TestEncryptDecryptLimits(t *testing.T) {
	tests := []struct {
		spec, alg string
		max       int
		h         func() hash.Hash
	}{
		{"RSA_2048", "RSAES_OAEP_SHA_1", 214, sha1.New},
		{"RSA_2048", "RSAES_OAEP_SHA_256", 190, sha256.New},
		{"RSA_3072", "RSAES_OAEP_SHA_1", 342, sha1.New},
		{"RSA_3072", "RSAES_OAEP_SHA_256", 318, sha256.New},
		{"RSA_4096", "RSAES_OAEP_SHA_1", 470, sha1.New},
		{"RSA_4096", "RSAES_OAEP_SHA_256", 446, sha256.New},
	}
	for _, tc := range tests {
		t.Run(tc.spec+"/"+tc.alg, func(t *testing.T) {
			priv, pub := keyOf(t, tc.spec)
			plain := bytes.Repeat([]byte{1}, tc.max)
			ct, err := Encrypt(tc.spec, tc.alg, pub, plain)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct) != specs[tc.spec].rsaBits/8 {
				t.Errorf("ciphertext is %d bytes, want the modulus length", len(ct))
			}
			got, err := Decrypt(tc.spec, tc.alg, priv, ct)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("Decrypt: %v", err)
			}
			_, err = Encrypt(tc.spec, tc.alg, pub, append(plain, 1))
			wantException(t, err, ExcValidation, "Algorithm "+tc.alg+" and key spec "+tc.spec+
				" cannot encrypt data larger than "+itoa(tc.max)+" bytes.")

			// Ciphertext made locally from the public key decrypts.
			key, err := x509.ParsePKIXPublicKey(pub)
			if err != nil {
				t.Fatal(err)
			}
			local, err := rsa.EncryptOAEP(tc.h(), rand.Reader, key.(*rsa.PublicKey), []byte("local"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := Decrypt(tc.spec, tc.alg, priv, local); err != nil || string(got) != "local" {
				t.Fatalf("Decrypt of local ciphertext: %q, %v", got, err)
			}
		})
	}
}

func TestDecryptFailuresAreVague(t *testing.T) {
	priv, pub := keyOf(t, "RSA_2048")
	ct, err := Encrypt("RSA_2048", "RSAES_OAEP_SHA_256", pub, []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := keyOf(t, "RSA_3072")
	flipped := bytes.Clone(ct)
	flipped[10] ^= 1
	tests := []struct {
		name, spec, alg string
		priv, ct        []byte
	}{
		{"wrong algorithm", "RSA_2048", "RSAES_OAEP_SHA_1", priv, ct},
		{"altered ciphertext", "RSA_2048", "RSAES_OAEP_SHA_256", priv, flipped},
		{"short ciphertext", "RSA_2048", "RSAES_OAEP_SHA_256", priv, ct[:100]},
		{"wrong key", "RSA_3072", "RSAES_OAEP_SHA_256", other, ct},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decrypt(tc.spec, tc.alg, tc.priv, tc.ct)
			wantException(t, err, ExcInvalidCiphertext, "")
		})
	}
}

func TestEncryptAlgorithmRules(t *testing.T) {
	_, pub := keyOf(t, "RSA_4096")
	_, err := Encrypt("RSA_4096", "SYMMETRIC_DEFAULT", pub, []byte("x"))
	wantException(t, err, ExcInvalidKeyUsage, "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096.")
	_, ecPub := keyOf(t, "ECC_NIST_P256")
	_, err = Encrypt("ECC_NIST_P256", "RSAES_OAEP_SHA_256", ecPub, []byte("x"))
	wantException(t, err, ExcInvalidKeyUsage, "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec ECC_NIST_P256.")
	_, err = Encrypt("RSA_4096", "RSAES_OAEP_SHA_512", pub, []byte("x"))
	wantException(t, err, ExcValidation, "1 validation error detected: Value 'RSAES_OAEP_SHA_512' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]")
	_, err = Encrypt("RSA_4096", "RSAES_OAEP_SHA_256", pub, nil)
	wantException(t, err, ExcValidation, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")
}
