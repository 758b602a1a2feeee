package xks

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// TestCDIVSpecExample is the specification's worked example of the
// ciphertext data integrity value.
func TestCDIVSpecExample(t *testing.T) {
	dec := func(s string) []byte {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	aad := []byte("project=nile,department=marketing")
	got := cdiv(aad, []byte("key_version=1"), dec("HMrlRw85cAJUd5Ax"), dec("ghxkK1txeDNn3q8Y"), dec("vBxN2ncH1oEkR8WVXpmyYQ=="))
	const want = "qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc="
	if s := base64.StdEncoding.EncodeToString(got[:]); s != want {
		t.Fatalf("CDIV = %s, want %s", s, want)
	}
}

func TestTokenAAD(t *testing.T) {
	for _, tc := range []struct {
		name       string
		aad, meta  []byte
		want       []byte
		wantFailed bool
	}{
		{"both absent", nil, nil, []byte{0, 0, 0}, false},
		{"aad only", []byte("ab"), nil, []byte{0, 2, 'a', 'b', 0}, false},
		{"meta only", nil, []byte{1}, []byte{0, 0, 1, 1}, false},
		{"both", []byte("a"), []byte("mm"), []byte{0, 1, 'a', 2, 'm', 'm'}, false},
		// Without the length prefixes these two would give the same bytes.
		{"shifted", []byte("am"), []byte("m"), []byte{0, 2, 'a', 'm', 1, 'm'}, false},
		{"aad too long", make([]byte, maxAAD+1), nil, nil, true},
		{"metadata too long", nil, make([]byte, maxCiphertextMD+1), nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tokenAAD(tc.aad, tc.meta)
			if (err != nil) != tc.wantFailed {
				t.Fatalf("err = %v", err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("tokenAAD = %x, want %x", got, tc.want)
			}
		})
	}
}
