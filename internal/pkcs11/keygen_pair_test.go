//go:build cgo

package pkcs11

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"testing"
)

// pairKey generates a session key pair from spec and destroys both halves
// at the end of the test.
func pairKey(t *testing.T, tok *Token, spec KeyPairSpec) (pub, priv Handle) {
	t.Helper()
	spec.Token = false
	pub, priv, err := tok.GenerateKeyPair(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tok.DestroyObject(pub); _ = tok.DestroyObject(priv) })
	return pub, priv
}

func TestGenerateKeyPair(t *testing.T) {
	tok := openSoftHSM(t)
	cases := []struct {
		name  string
		spec  KeyPairSpec
		check func(t *testing.T, der []byte)
	}{
		{"rsa-2048", rsaSpec(2048), wantRSA(2048)},
		{"rsa-3072", rsaSpec(3072), wantRSA(3072)},
		{"ec-p256", ecSpec("P-256"), wantEC(256)},
		{"ec-p384", ecSpec("P-384"), wantEC(384)},
		{"ec-p521", ecSpec("P-521"), wantEC(521)},
		{"ec-secp256k1", ecSpec("secp256k1"), func(t *testing.T, der []byte) {
			var spki struct {
				Alg struct{ Alg, Curve asn1.ObjectIdentifier }
				Key asn1.BitString
			}
			if _, err := asn1.Unmarshal(der, &spki); err != nil || !spki.Alg.Curve.Equal(Curves["secp256k1"]) || len(spki.Key.Bytes) != 65 {
				t.Errorf("secp256k1 SPKI %x: %v", der, err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.spec.Label, c.spec.ID = "pair-"+c.name, []byte(c.name)
			pub, priv := pairKey(t, tok, c.spec)
			pa, err := tok.Attributes(pub)
			if err != nil || pa.Class != "public-key" || *pa.Private || !*pa.Verify || *pa.Label != c.spec.Label || string(pa.ID) != c.name {
				t.Errorf("public half %+v, %v", pa, err)
			}
			ka, err := tok.Attributes(priv)
			if err != nil || ka.Class != "private-key" || !*ka.Private || !*ka.Sensitive || !*ka.Extractable || !*ka.Sign ||
				*ka.Decrypt || *ka.Label != c.spec.Label || string(ka.ID) != c.name {
				t.Errorf("private half %+v, %v", ka, err)
			}
			der, err := tok.PublicKeyDER(pub)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, der)
			if _, err := tok.PublicKeyDER(priv); err == nil {
				t.Error("PublicKeyDER of a private key succeeded")
			}
		})
	}
	for _, bad := range []KeyPairSpec{rsaSpec(1024), ecSpec("P-224"), {KeySpec: KeySpec{Type: "DSA"}}} {
		if _, _, err := tok.GenerateKeyPair(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func rsaSpec(bits int) KeyPairSpec {
	s := BYOKKeyPairSpec(KeyTypeRSA)
	s.Bits = bits
	return s
}

func ecSpec(curve string) KeyPairSpec {
	s := BYOKKeyPairSpec(KeyTypeEC)
	s.Curve = curve
	return s
}

func wantRSA(bits int) func(*testing.T, []byte) {
	return func(t *testing.T, der []byte) {
		k, err := x509.ParsePKIXPublicKey(der)
		if rk, ok := k.(*rsa.PublicKey); err != nil || !ok || rk.N.BitLen() != bits || rk.E != 65537 {
			t.Errorf("RSA-%d public key %T %v", bits, k, err)
		}
	}
}

func wantEC(bits int) func(*testing.T, []byte) {
	return func(t *testing.T, der []byte) {
		k, err := x509.ParsePKIXPublicKey(der)
		if ek, ok := k.(*ecdsa.PublicKey); err != nil || !ok || ek.Curve.Params().BitSize != bits {
			t.Errorf("EC-%d public key %T %v", bits, k, err)
		}
	}
}

func TestCurveName(t *testing.T) {
	for in, want := range map[string]string{"p256": "P-256", "ECC_NIST_P384": "P-384", "secp521r1": "P-521", "secp256k1": "secp256k1", "P-256": "P-256"} {
		if got, err := CurveName(in); err != nil || got != want {
			t.Errorf("CurveName(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := CurveName("p224"); err == nil {
		t.Error("p224 accepted")
	}
}
