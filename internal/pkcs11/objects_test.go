//go:build cgo

package pkcs11

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

func TestFindObjectsAndAttributes(t *testing.T) {
	priv := pkcs11test.RSAKey(t)
	for _, k := range tokenKinds {
		t.Run(k.name, func(t *testing.T) {
			tok := k.open(t)
			pub := wrappingKey(t, tok)
			spec := BYOKKeySpec()
			spec.Label, spec.ID = "find me", []byte{1, 2, 3}
			key := sessionKey(t, tok, spec)

			for _, tt := range []struct {
				f    Filter
				want []Handle
			}{
				{Filter{Label: "find me"}, []Handle{key}},
				{Filter{ID: []byte{1, 2, 3}}, []Handle{key}},
				{Filter{Class: "secret-key", Label: "find me"}, []Handle{key}},
				{Filter{Class: "public", Label: "test wrapping key"}, []Handle{pub}},
				{Filter{Class: "public-key", ID: PublicKeyID(&priv.PublicKey)}, []Handle{pub}},
				{Filter{Class: "private-key", Label: "find me"}, nil},
			} {
				objs, err := tok.FindObjects(tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []Handle
				for _, o := range objs {
					got = append(got, o.Handle)
				}
				if !equalHandles(got, tt.want) {
					t.Errorf("FindObjects(%+v) = %v, want %v", tt.f, objs, tt.want)
				}
			}
			objs, _ := tok.FindObjects(Filter{Label: "find me"})
			if o := objs[0]; o.Class != "secret-key" || o.KeyType != "AES" || o.Bits != 256 || !bytes.Equal(o.ID, []byte{1, 2, 3}) {
				t.Errorf("object %+v", o)
			}
			objs, _ = tok.FindObjects(Filter{Label: "test wrapping key"})
			if o := objs[0]; o.Class != "public-key" || o.KeyType != "RSA" || o.Bits != 2048 {
				t.Errorf("object %+v", o)
			}
			if _, err := tok.FindObjects(Filter{Class: "secret"}); err == nil {
				t.Error("unknown class accepted")
			}

			a, err := tok.Attributes(pub)
			if err != nil {
				t.Fatal(err)
			}
			if a.Class != "public-key" || a.KeyType != "RSA" || !bytes.Equal(a.Modulus, priv.N.Bytes()) ||
				!bytes.Equal(a.PublicExponent, []byte{1, 0, 1}) || !*a.Wrap || !*a.Encrypt || *a.Private || *a.Token ||
				*a.Label != "test wrapping key" || !bytes.Equal(a.ID, PublicKeyID(&priv.PublicKey)) {
				t.Errorf("public key attributes %s", jsonOf(a))
			}
			a, err = tok.Attributes(key)
			if err != nil {
				t.Fatal(err)
			}
			if a.Class != "secret-key" || a.KeyType != "AES" || *a.ValueLen != 32 || !*a.Sensitive || !*a.Extractable ||
				!*a.Encrypt || !*a.Decrypt || *a.Wrap || *a.Sign || !*a.Modifiable || a.Modulus != nil ||
				k.name == "softhsm" && !*a.Local { // NSS says local=false
				t.Errorf("AES key attributes %s", jsonOf(a))
			}
			_, err = tok.Attributes(Handle(0xFFFFFF))
			wantErr(t, err, "C_GetAttributeValue: CKR_OBJECT_HANDLE_INVALID (0x82): no object with this handle")
		})
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func equalHandles(a, b []Handle) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func strp(s string) *string { return &s }
func changes(kv ...any) AttrChanges {
	c := AttrChanges{Bool: map[string]bool{}}
	for i := 0; i < len(kv); i += 2 {
		c.Bool[kv[i].(string)] = kv[i+1].(bool)
	}
	return c
}

func TestSetAttributes(t *testing.T) {
	tok := openSoftHSM(t)
	pub, err := tok.ImportRSAPublicKey(&pkcs11test.RSAKey(t).PublicKey, PublicKeyOptions{Label: "luna style"})
	if err != nil {
		t.Fatal(err)
	}
	defer tok.DestroyObject(pub)
	// Luna's procedure: an imported public key gets wrap and encrypt set.
	c := changes("wrap", true, "encrypt", true)
	c.Label = strp("AWS Public Key")
	if err := tok.SetAttributes(pub, c); err != nil {
		t.Fatal(err)
	}
	a, _ := tok.Attributes(pub)
	if !*a.Wrap || !*a.Encrypt || *a.Label != "AWS Public Key" {
		t.Errorf("after set-attrs %+v", a)
	}
	if err := tok.SetAttributes(pub, changes("wrap", true)); err != nil {
		t.Errorf("no-op change: %v", err)
	}
	wantErr(t, tok.SetAttributes(pub, changes("token", false)), `attribute "token" cannot be set: settable booleans are private, encrypt`)

	spec := BYOKKeySpec()
	spec.Extractable = false
	key := sessionKey(t, tok, spec)
	err = tok.SetAttributes(key, changes("extractable", true, "derive", true))
	wantErr(t, err, "C_SetAttributeValue: CKR_ATTRIBUTE_READ_ONLY (0x10): the token refused to change extractable (one of derive, extractable): ",
		"extractable can only go from true to false in PKCS#11; Luna lets a modifiable key be made extractable again, this token does not: generate a new key with `trent hsm keygen --extractable`",
		"; nothing was changed")
	if a, _ := tok.Attributes(key); *a.Extractable || *a.Derive {
		t.Errorf("changed after refusal: %+v", a)
	}
	err = tok.SetAttributes(key, changes("sensitive", false))
	wantErr(t, err, "CKR_ATTRIBUTE_READ_ONLY", "sensitive can only go from false to true in PKCS#11")
	// One-way the allowed way.
	if err := tok.SetAttributes(key, changes("wrap", true)); err != nil {
		t.Error(err)
	}

	spec = BYOKKeySpec()
	spec.Modifiable = false
	fixed := sessionKey(t, tok, spec)
	err = tok.SetAttributes(fixed, changes("decrypt", false))
	wantErr(t, err, "C_SetAttributeValue: CKR_ACTION_PROHIBITED (0x1B)", "has modifiable=false: PKCS#11 lets none of its attributes change", "nothing was changed")
	// One-way changes the allowed way, modifiable=false last.
	spec = BYOKKeySpec()
	spec.Sensitive = false
	oneWay := sessionKey(t, tok, spec)
	err = tok.SetAttributes(oneWay, changes("sensitive", true, "extractable", false, "wrap", true))
	if err != nil {
		t.Fatalf("allowed one-way changes: %v", err)
	}
	if a, _ := tok.Attributes(oneWay); !*a.Sensitive || *a.Extractable || !*a.Wrap {
		t.Errorf("after one-way changes: %s", jsonOf(a))
	}
	// SoftHSM2 refuses modifiable=false after creation; the one-way
	// changes made before it cannot be undone, and the error says so.
	spec.Label = "stuck"
	stuck := sessionKey(t, tok, spec)
	err = tok.SetAttributes(stuck, changes("modifiable", false, "sensitive", true, "extractable", false, "wrap", true))
	wantErr(t, err, "CKR_ATTRIBUTE_READ_ONLY (0x10): the token refused to change modifiable (one of wrap, extractable, sensitive, modifiable): modifiable is usually fixed when the object is created",
		"; these changes were made and could not be undone: extractable, sensitive")
	if a, _ := tok.Attributes(stuck); *a.Wrap || !*a.Sensitive {
		t.Errorf("wrap was not undone: %s", jsonOf(a))
	}
}

func TestDestroyObject(t *testing.T) {
	tok := openSoftHSM(t)
	before := countObjects(t, tok)
	spec := BYOKKeySpec()
	spec.Label = "to destroy"
	h, err := tok.GenerateSecretKey(spec) // a token object
	if err != nil {
		t.Fatal(err)
	}
	if countObjects(t, tok) != before+1 {
		t.Error("key not listed")
	}
	if err := tok.DestroyObject(h); err != nil {
		t.Fatal(err)
	}
	if countObjects(t, tok) != before {
		t.Error("key still listed")
	}
	wantErr(t, tok.DestroyObject(h), "C_DestroyObject: CKR_OBJECT_HANDLE_INVALID (0x82)")
}
