//go:build cgo

package pkcs11

import (
	"crypto/rsa"
	"math/big"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

func TestGenerateSecretKey(t *testing.T) {
	for _, k := range tokenKinds {
		t.Run(k.name, func(t *testing.T) {
			tok := k.open(t)
			for _, n := range []int{16, 24, 32} {
				spec := BYOKKeySpec()
				spec.Bytes = n
				h := sessionKey(t, tok, spec)
				a, err := tok.Attributes(h)
				if err != nil || *a.ValueLen != n || a.KeyType != "AES" {
					t.Errorf("AES-%d: %+v, %v", 8*n, a, err)
				}
				// The key is the one the token encrypts with.
				kcv, err := tok.CheckValue(h)
				if err != nil || string(kcv.Value) != string(goKCV(t, keyValue(t, tok, h))) {
					t.Errorf("AES-%d check value %v, %v", 8*n, kcv, err)
				}
			}
			g := sessionKey(t, tok, HMACKeySpec(32))
			a, err := tok.Attributes(g)
			if err != nil || a.KeyType != "GENERIC_SECRET" || *a.ValueLen != 32 || !*a.Sign || !*a.Verify || *a.Encrypt {
				t.Errorf("generic secret %+v, %v", a, err)
			}
			for _, bad := range []KeySpec{{Type: KeyTypeAES, Bytes: 20}, {Type: KeyTypeGenericSecret}, {Type: "DES3", Bytes: 24}} {
				if _, err := tok.GenerateSecretKey(bad); err == nil {
					t.Errorf("%+v accepted", bad)
				}
			}
		})
	}
}

// TestGenerateSecretKeyAttributes checks that every attribute of the Luna
// procedure is what the spec says, both ways.
func TestGenerateSecretKeyAttributes(t *testing.T) {
	tok := openSoftHSM(t)
	for _, v := range []bool{true, false} {
		spec := KeySpec{Type: KeyTypeAES, Bytes: 32, Label: "all", Token: v, Private: v, Sensitive: v, Modifiable: v,
			Extractable: v, Encrypt: v, Decrypt: v, Sign: v, Verify: v, Wrap: v, Unwrap: v, Derive: v}
		h, err := tok.GenerateSecretKey(spec)
		if err != nil {
			t.Fatal(err)
		}
		a, err := tok.Attributes(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"token", "private", "sensitive", "modifiable", "extractable", "encrypt", "decrypt",
			"sign", "verify", "wrap", "unwrap", "derive"} {
			if got := a.bool(name); got == nil || *got != v {
				t.Errorf("%s = %v, want %v", name, got, v)
			}
		}
		if err := tok.DestroyObject(h); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGenerateSecretKeyNSS(t *testing.T) {
	// Token objects: not on the Generic Crypto Services token...
	_, err := openNSS(t).GenerateSecretKey(BYOKKeySpec())
	wantErr(t, err, "C_GenerateKey: CKR_TOKEN_WRITE_PROTECTED (0xE2)", `use the "NSS Certificate DB" token, or a session object`)
	// ...but on the key database token.
	tok, err := Open(Config{NSSDB: pkcs11test.NSSDB(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	h, err := tok.GenerateSecretKey(BYOKKeySpec())
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := tok.Attributes(h); !*a.Token {
		t.Errorf("not a token object: %+v", a)
	}
	if err := tok.DestroyObject(h); err != nil {
		t.Fatal(err)
	}
}

func TestImportRSAPublicKey(t *testing.T) {
	priv := pkcs11test.RSAKey(t)
	tok := openSoftHSM(t)
	before := countObjects(t, tok)
	h, err := tok.ImportRSAPublicKey(&priv.PublicKey, PublicKeyOptions{Label: "kms", ID: []byte("id"), Token: true, Wrap: true, Encrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := tok.Attributes(h)
	if !*a.Token || string(a.ID) != "id" || *a.Verify || !*a.Wrap || !*a.Encrypt || a.ModulusBits != nil && *a.ModulusBits != 2048 {
		t.Errorf("attributes %+v", a)
	}
	if err := tok.DestroyObject(h); err != nil {
		t.Fatal(err)
	}
	small := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 511), E: 65537}
	_, err = tok.ImportRSAPublicKey(small, PublicKeyOptions{})
	wantErr(t, err, "not a usable RSA public key")
	if countObjects(t, tok) != before {
		t.Error("stray objects")
	}
}
