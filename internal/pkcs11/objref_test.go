package pkcs11

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseObjectRef(t *testing.T) {
	h := func(n Handle) *Handle { return &n }
	for _, c := range []struct {
		in      string
		handle  *Handle
		label   string
		id      []byte
		class   string
		wantErr string
	}{
		{in: "5", handle: h(5)},
		{in: "label:kms-aes", label: "kms-aes"},
		{in: "label:5", label: "5"}, // a label that looks like a number
		{in: "kms-aes-2027", label: "kms-aes-2027"},
		{in: "id:0A1b", id: []byte{0x0a, 0x1b}},
		{in: "id:0x0a", id: []byte{0x0a}},
		{in: "pkcs11:token=t;object=k;type=secret-key;id=%0a", label: "k", id: []byte{0x0a}, class: "secret-key"},
		{in: "", wantErr: "empty object reference"},
		{in: "id:zz", wantErr: "the id is not hex"},
		{in: "id:", wantErr: "the id is not hex"},
		{in: "pkcs11:token=t", wantErr: "names no object"},
		{in: "99999999999999999999999", wantErr: "object handle"},
	} {
		t.Run(c.in, func(t *testing.T) {
			r, err := ParseObjectRef(c.in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Bare() != (c.handle != nil) || (c.handle != nil && *r.Handle != *c.handle) {
				t.Errorf("handle %v, want %v", r.Handle, c.handle)
			}
			if r.Label != c.label || !bytes.Equal(r.ID, c.id) || r.Class != c.class || r.Text != c.in {
				t.Errorf("got %+v", r)
			}
		})
	}
}

func TestObjectDescribeAndURI(t *testing.T) {
	info := TokenInfo{Label: "kms", Serial: "0a1b"}
	for _, c := range []struct {
		o        Object
		describe string
		uri      string
	}{
		{Object{Handle: 5, Class: "secret-key", KeyType: "AES", Bits: 256, Label: "kms-aes", ID: Hex{0x0a}},
			`secret-key AES-256, label "kms-aes", id 0a, handle 5`, "pkcs11:serial=0a1b;token=kms;object=kms-aes;type=secret-key;id=%0A"},
		{Object{Handle: 7, Class: "public-key", KeyType: "RSA"},
			`public-key RSA, no label, handle 7`, "pkcs11:serial=0a1b;token=kms;type=public"},
	} {
		t.Run(c.describe, func(t *testing.T) {
			if got := c.o.Describe(); got != c.describe {
				t.Errorf("Describe = %q, want %q", got, c.describe)
			}
			u := c.o.URI(info).String()
			if u != c.uri {
				t.Errorf("URI = %q, want %q", u, c.uri)
			}
			// The URI reads back as a reference to the same object.
			r, err := ParseObjectRef(u)
			if err != nil || r.Label != c.o.Label || !bytes.Equal(r.ID, c.o.ID) || !sameClass(r.Class, c.o.Class) {
				t.Errorf("ParseObjectRef(%q) = %+v, %v", u, r, err)
			}
			if err := r.URI.MatchesToken(info); err != nil {
				t.Error(err)
			}
			if err := r.URI.MatchesToken(TokenInfo{Label: "other", Serial: "0a1b"}); err == nil {
				t.Error("URI matched another token")
			}
		})
	}
	o := Object{Label: "a", ID: Hex{1}}
	a, b := "a", "b"
	for _, c := range []struct {
		label *string
		id    []byte
		want  bool
	}{{&a, nil, true}, {&b, nil, false}, {nil, []byte{1}, true}, {nil, []byte{2}, false}, {&a, []byte{1}, true}, {nil, nil, true}} {
		if got := o.Matches(c.label, c.id); got != c.want {
			t.Errorf("Matches(%v, %x) = %v", c.label, c.id, got)
		}
	}
}
