//go:build cgo

package pkcs11

import (
	"bytes"
	"crypto/sha1"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// wrapSupport is what each test token can do, measured (see
// pkcs11-tokens.md): "" for OK, else a part of the error.
var wrapSupport = map[string]map[string]string{
	"softhsm": {
		RSAESOAEPSHA256:     "the token offers CKM_RSA_PKCS_OAEP but refused its parameters: RSA-OAEP with SHA-256, MGF1-SHA-256, empty label (SoftHSM2 2.6 accepts only SHA-1); this token cannot wrap with RSAES_OAEP_SHA_256: use RSAES_OAEP_SHA_1",
		RSAESOAEPSHA1:       "",
		RSAAESKeyWrapSHA256: "this token cannot wrap with RSA_AES_KEY_WRAP_SHA_256: use RSA_AES_KEY_WRAP_SHA_1",
		RSAAESKeyWrapSHA1:   "",
		RSAESPKCS1v15:       "",
	},
	"nss": {RSAESOAEPSHA256: "", RSAESOAEPSHA1: "", RSAAESKeyWrapSHA256: "", RSAAESKeyWrapSHA1: "", RSAESPKCS1v15: ""},
}

// TestWrap wraps with every algorithm on every token, unwraps in Go with
// the RSA private key, and compares the key check value computed in Go
// with the token's; refusals must say what the token cannot do and leave
// no object behind.
func TestWrap(t *testing.T) {
	priv := pkcs11test.RSAKey(t)
	for _, k := range tokenKinds {
		t.Run(k.name, func(t *testing.T) {
			tok := k.open(t)
			var notes []string
			tok.notice = func(s string) { notes = append(notes, s) }
			pub := wrappingKey(t, tok)
			for _, size := range []int{32, 16, 24} {
				spec := BYOKKeySpec()
				spec.Bytes = size
				key := sessionKey(t, tok, spec)
				kcv, err := tok.CheckValue(key)
				if err != nil || kcv.Method != KCVAESECB {
					t.Fatalf("CheckValue: %v, %v", kcv, err)
				}
				for _, alg := range Algorithms {
					if size != 32 && !strings.HasPrefix(alg, "RSA_AES") {
						continue // other sizes matter for the AES key wrap part
					}
					before := countObjects(t, tok)
					w, err := tok.Wrap(key, pub, alg)
					if after := countObjects(t, tok); after != before {
						t.Errorf("%s: %d objects before, %d after", alg, before, after)
					}
					if want := wrapSupport[k.name][alg]; want != "" {
						wantErr(t, err, want)
						continue
					}
					if err != nil {
						t.Errorf("AES-%d %s: %v", 8*size, alg, err)
						continue
					}
					m, err := byok.Unwrap(priv, alg, w, size)
					if err != nil {
						t.Errorf("AES-%d %s: unwrap in Go: %v", 8*size, alg, err)
						continue
					}
					if len(m) != size || !bytes.Equal(goKCV(t, m), kcv.Value) {
						t.Errorf("AES-%d %s: unwrapped %d bytes, check value %x, token says %x", 8*size, alg, len(m), goKCV(t, m), kcv.Value)
					}
				}
			}
			if !containsPart(notes, "has no CKM_RSA_AES_KEY_WRAP: composing RSA_AES_KEY_WRAP_SHA_1 inside the token") ||
				!containsPart(notes, "RSAES_PKCS1_V1_5: AWS KMS has refused this algorithm since 2023-10-10") {
				t.Errorf("notices %q", notes)
			}
		})
	}
}

func containsPart(list []string, part string) bool {
	for _, s := range list {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}

// TestWrapGenericSecret wraps HMAC keys: aligned lengths compose with
// RFC 5649 on both tokens; an unaligned one has no RFC 5649 mechanism on
// either (SoftHSM2's CKM_AES_KEY_WRAP_PAD pads it wrongly, NSS's pads with
// PKCS#7, NSS's CKM_AES_KEY_WRAP_KWP fails) and is refused, not wrapped
// wrongly.
func TestWrapGenericSecret(t *testing.T) {
	priv := pkcs11test.RSAKey(t)
	for _, k := range tokenKinds {
		t.Run(k.name, func(t *testing.T) {
			tok := k.open(t)
			pub := wrappingKey(t, tok)
			key := sessionKey(t, tok, HMACKeySpec(48))
			w, err := tok.Wrap(key, pub, RSAAESKeyWrapSHA1)
			if err != nil {
				t.Fatal(err)
			}
			m, err := byok.Unwrap(priv, RSAAESKeyWrapSHA1, w, 0)
			if err != nil || len(m) != 48 {
				t.Fatalf("unwrap: %d bytes, %v", len(m), err)
			}
			kcv, err := tok.CheckValue(key)
			if sum := sha1.Sum(m); err != nil || !bytes.Equal(kcv.Value, sum[:3]) {
				t.Errorf("check value %v, %v; SHA-1 of the value %x", kcv, err, sum[:3])
			}
			odd := sessionKey(t, tok, HMACKeySpec(20))
			before := countObjects(t, tok)
			_, err = tok.Wrap(odd, pub, RSAAESKeyWrapSHA1)
			wantErr(t, err, "cannot wrap with RSA_AES_KEY_WRAP_SHA_1: it has no CKM_RSA_AES_KEY_WRAP, and none of its AES key wrap mechanisms gives RFC 5649 for this key: ",
				"CKM_AES_KEY_WRAP_PAD ", "CKM_AES_KEY_WRAP with RFC 5649's initial value only fits inputs of 16 bytes or more in multiples of 8")
			if countObjects(t, tok) != before {
				t.Error("stray objects")
			}
		})
	}
}

func TestWrapRefusals(t *testing.T) {
	for _, k := range tokenKinds {
		t.Run(k.name, func(t *testing.T) {
			tok := k.open(t)
			pub := wrappingKey(t, tok)
			key := sessionKey(t, tok, BYOKKeySpec())
			before := countObjects(t, tok)

			// Not extractable but modifiable: Trent tries to make it
			// extractable, as on Luna; both tokens refuse.
			spec := BYOKKeySpec()
			spec.Extractable, spec.Label = false, "fixed"
			fixed := sessionKey(t, tok, spec)
			before++
			_, err := tok.Wrap(fixed, pub, RSAESOAEPSHA1)
			wantErr(t, err, `the key (handle `, `, label "fixed") has extractable=false and the token will not make it extractable, so it cannot be wrapped: C_SetAttributeValue: CKR_ATTRIBUTE_READ_ONLY (0x10)`,
				"extractable can only go from true to false in PKCS#11; Luna lets a modifiable key be made extractable again, this token does not: generate a new key with `trent hsm keygen --extractable`")
			if a, _ := tok.Attributes(fixed); *a.Extractable {
				t.Error("the key was left extractable")
			}
			// Neither extractable nor modifiable.
			spec.Modifiable = false
			never := sessionKey(t, tok, spec)
			before++
			_, err = tok.Wrap(never, pub, RSAESOAEPSHA1)
			wantErr(t, err, "has extractable=false and modifiable=false: it was generated so that it can never leave the token (a wrap fails with CKR_KEY_UNEXTRACTABLE); generate a new key with `trent hsm keygen --extractable`")

			// Wrapping key with wrap=false.
			noWrap, err := tok.ImportRSAPublicKey(&pkcs11test.RSAKey(t).PublicKey, PublicKeyOptions{Label: "no wrap", Encrypt: true})
			if err != nil {
				t.Fatal(err)
			}
			defer tok.DestroyObject(noWrap)
			before++
			_, err = tok.Wrap(key, noWrap, RSAESOAEPSHA1)
			wantErr(t, err, `, label "no wrap") has wrap=false, so the token would refuse it (CKR_KEY_FUNCTION_NOT_PERMITTED); set it with `+"`trent hsm set-attrs --handle")

			// Wrong kinds of objects and names.
			_, err = tok.Wrap(key, key, RSAESOAEPSHA1)
			wantErr(t, err, "is a AES secret-key, not an RSA public key: import KMS's wrapping key with `trent hsm import-pubkey`")
			_, err = tok.Wrap(pub, pub, RSAESOAEPSHA1)
			wantErr(t, err, "is a public-key, not a key that can be wrapped")
			_, err = tok.Wrap(key, pub, "SM2PKE")
			wantErr(t, err, `unknown wrapping algorithm "SM2PKE": use one of RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSAES_PKCS1_V1_5`)
			_, err = tok.Wrap(key, Handle(0xFFFFFF), RSAESOAEPSHA1)
			wantErr(t, err, "wrapping key (handle 16777215): C_GetAttributeValue: CKR_OBJECT_HANDLE_INVALID (0x82)")
			_, err = tok.Wrap(Handle(0xFFFFFF), pub, RSAESOAEPSHA1)
			wantErr(t, err, "key to wrap (handle 16777215): C_GetAttributeValue: CKR_OBJECT_HANDLE_INVALID (0x82)")

			if after := countObjects(t, tok); after != before {
				t.Errorf("%d objects expected, %d found", before, after)
			}
		})
	}
}

// TestWrapNSSDoesNotEnforceExtractable shows why Wrap checks
// CKA_EXTRACTABLE itself: NSS wraps a non-extractable key when asked
// directly.
func TestWrapNSSDoesNotEnforceExtractable(t *testing.T) {
	tok := openNSS(t)
	pub := wrappingKey(t, tok)
	spec := BYOKKeySpec()
	spec.Extractable = false
	key := sessionKey(t, tok, spec)
	alg, _ := lookupAlg(RSAESOAEPSHA1)
	a, _ := tok.Attributes(pub)
	tok.mu.Lock()
	_, err := tok.rsaWrap(alg, oaepMechanism(alg), mpHandle(pub), mpHandle(key), a)
	tok.mu.Unlock()
	if err != nil {
		t.Skipf("this NSS enforces CKA_EXTRACTABLE (%v)", err)
	}
	_, err = tok.Wrap(key, pub, RSAESOAEPSHA1)
	wantErr(t, err, "has extractable=false")
}
