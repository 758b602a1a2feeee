package keycrypto

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"testing"
)

func TestDeriveSharedSecretAgrees(t *testing.T) {
	tests := []struct {
		spec  string
		curve ecdh.Curve
		size  int
	}{
		{"ECC_NIST_P256", ecdh.P256(), 32},
		{"ECC_NIST_P384", ecdh.P384(), 48},
		{"ECC_NIST_P521", ecdh.P521(), 66},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			priv, pub := keyOf(t, tc.spec)
			peer, err := tc.curve.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			peerSPKI, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			got, err := DeriveSharedSecret(tc.spec, priv, peerSPKI)
			if err != nil {
				t.Fatal(err)
			}
			kmsKey, err := x509.ParsePKIXPublicKey(pub)
			if err != nil {
				t.Fatal(err)
			}
			kmsPub, err := kmsKey.(interface {
				ECDH() (*ecdh.PublicKey, error)
			}).ECDH()
			if err != nil {
				t.Fatal(err)
			}
			want, err := peer.ECDH(kmsPub)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.size || !bytes.Equal(got, want) {
				t.Fatalf("shared secret %x (%d bytes), peer computes %x", got, len(got), want)
			}
		})
	}
}

func TestDeriveSharedSecretRejects(t *testing.T) {
	priv, _ := keyOf(t, "ECC_NIST_P256")
	_, p384 := keyOf(t, "ECC_NIST_P384")
	_, k1 := keyOf(t, "ECC_SECG_P256K1")
	_, rsaPub := keyOf(t, "RSA_2048")
	_, edPub := keyOf(t, "ECC_NIST_EDWARDS25519")
	_, ownPub := keyOf(t, "ECC_NIST_P256")
	offCurve := bytes.Clone(ownPub)
	offCurve[len(offCurve)-1] ^= 1
	tests := map[string][]byte{
		"garbage":         []byte("not a key"),
		"P-384 peer":      p384,
		"secp256k1 peer":  k1,
		"RSA peer":        rsaPub,
		"Ed25519 peer":    edPub,
		"point off curve": offCurve,
		"trailing data":   append(bytes.Clone(ownPub), 0),
	}
	for name, peer := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := DeriveSharedSecret("ECC_NIST_P256", priv, peer)
			wantException(t, err, ExcValidation, "")
		})
	}
	t.Run("key spec without ECDH", func(t *testing.T) {
		k1Priv, _ := keyOf(t, "ECC_SECG_P256K1")
		_, err := DeriveSharedSecret("ECC_SECG_P256K1", k1Priv, k1)
		wantException(t, err, ExcInvalidKeyUsage, "Algorithm ECDH is incompatible with key spec ECC_SECG_P256K1.")
	})
}
