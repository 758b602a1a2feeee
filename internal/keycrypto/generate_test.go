package keycrypto

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"testing"
)

// Data key pairs: every DataKeyPairSpec gives a PKCS#8 and an SPKI that
// belong together, with AWS's sizes (asymmetric.md §7).
func TestGenerateDataKeyPair(t *testing.T) {
	pkcs8Sizes := map[string]int{"ECC_NIST_P256": 138, "ECC_NIST_P384": 185, "ECC_NIST_P521": 241,
		"ECC_SECG_P256K1": 135, "ECC_NIST_EDWARDS25519": 48}
	for _, spec := range []string{"RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519"} {
		t.Run(spec, func(t *testing.T) {
			priv, pub := newPair(t, spec)
			if want, ok := pkcs8Sizes[spec]; ok && len(priv) != want {
				t.Errorf("PKCS#8 is %d bytes, want %d", len(priv), want)
			}
			if len(pub) != spkiSizes[spec] {
				t.Errorf("SPKI is %d bytes, want %d", len(pub), spkiSizes[spec])
			}
			derived, err := PublicKey(spec, priv)
			if err != nil || !bytes.Equal(derived, pub) {
				t.Fatalf("the public key does not belong to the private key (%v)", err)
			}
			if spec == "ECC_SECG_P256K1" {
				return // the standard library knows no secp256k1; openssl checks it
			}
			key, err := x509.ParsePKCS8PrivateKey(priv)
			if err != nil {
				t.Fatal(err)
			}
			stdPub, err := x509.MarshalPKIXPublicKey(key.(crypto.Signer).Public())
			if err != nil || !bytes.Equal(stdPub, pub) {
				t.Fatalf("crypto/x509 derives another public key (%v)", err)
			}
			switch key.(type) {
			case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
			default:
				t.Fatalf("unexpected key type %T", key)
			}
		})
	}
	for _, spec := range []string{"ML_DSA_44", "HMAC_256", "SYMMETRIC_DEFAULT"} {
		t.Run(spec, func(t *testing.T) {
			_, _, err := GenerateDataKeyPair(spec)
			wantException(t, err, ExcValidation, "1 validation error detected: Value '"+spec+"' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: ["+dataKeyPairSpecs+"]")
		})
	}
}

// Two generated keys differ, and unknown specs are internal errors.
func TestGenerate(t *testing.T) {
	for _, spec := range []string{"ECC_NIST_P256", "ML_DSA_44", "HMAC_512"} {
		a, err := Generate(spec)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Generate(spec)
		if bytes.Equal(a, b) {
			t.Fatalf("%s: two keys are equal", spec)
		}
	}
	if _, err := Generate("AES_256"); err == nil || Exception(err) != "" {
		t.Fatalf("unknown spec: err = %v, want an internal error", err)
	}
	if _, err := PublicKey("ECC_NIST_P384", []byte("corrupt")); err == nil || Exception(err) != "" {
		t.Fatalf("corrupt material: err = %v, want an internal error", err)
	}
	p256, _ := keyOf(t, "ECC_NIST_P256")
	if _, err := Sign("ECC_NIST_P384", "ECDSA_SHA_384", "RAW", p256, []byte("m")); err == nil || Exception(err) != "" {
		t.Fatalf("material of another spec: err = %v, want an internal error", err)
	}
}
