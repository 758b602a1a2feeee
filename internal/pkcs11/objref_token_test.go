//go:build cgo

package pkcs11

import (
	"strings"
	"testing"
)

// TestFindObject looks objects up by every reference form on SoftHSM2,
// including the one that matters: a handle from another session.
func TestFindObject(t *testing.T) {
	tok := openSoftHSM(t)
	mk := func(label string, id []byte) Object {
		t.Helper()
		spec := BYOKKeySpec()
		spec.Token, spec.Label, spec.ID = false, label, id
		h, err := tok.GenerateSecretKey(spec)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tok.DestroyObject(h) })
		objs, err := tok.FindObjects(Filter{Label: label, ID: id})
		if err != nil || len(objs) == 0 {
			t.Fatalf("%v %v", objs, err)
		}
		return objs[len(objs)-1]
	}
	one := mk("objref-one", []byte{0xa1})
	mk("objref-twin", []byte{0xa2})
	twin := mk("objref-twin", []byte{0xa3})
	info := tok.Info()
	for _, c := range []struct {
		ref, class string
		want       Object
		wantErr    string
	}{
		{ref: "objref-one", want: one},
		{ref: "label:objref-one", class: "secret-key", want: one},
		{ref: "id:a1", want: one},
		{ref: one.URI(info).String(), want: one},
		{ref: twin.URI(info).String(), want: twin},
		{ref: "id:a3", want: twin},
		{ref: "objref-twin", wantErr: `2 objects on token "trent-test" match: secret-key AES-256, label "objref-twin", id a2`},
		{ref: "objref-one", class: "public-key", wantErr: `no public-key on token "trent-test" matches`},
		{ref: "pkcs11:token=other;object=objref-one", wantErr: `names token="other" but the open token has "trent-test"`},
		{ref: "999999", wantErr: `token "trent-test" has no object with handle 999999 in this session`},
	} {
		t.Run(c.ref, func(t *testing.T) {
			r, err := ParseObjectRef(c.ref)
			if err != nil {
				t.Fatal(err)
			}
			o, err := tok.FindObject(r, c.class)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || o.Handle != c.want.Handle {
				t.Fatalf("got %+v %v, want handle %d", o, err, c.want.Handle)
			}
		})
	}
	r, _ := ParseObjectRef(strings.TrimSpace(strings.Fields(one.Describe())[len(strings.Fields(one.Describe()))-1]))
	if o, err := tok.FindObject(r, ""); err != nil || o.Handle != one.Handle {
		t.Errorf("bare handle %d: %+v %v", one.Handle, o, err)
	}
	if _, err := tok.FindObject(r, "public-key"); err == nil || !strings.Contains(err.Error(), "is secret-key AES-256, label \"objref-one\"") {
		t.Errorf("bare handle of the wrong class: %v", err)
	}
}
