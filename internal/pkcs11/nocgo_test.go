//go:build !cgo

package pkcs11

import (
	"errors"
	"testing"
)

func TestNoCgo(t *testing.T) {
	_, err := Open(Config{Module: "/usr/lib/softhsm/libsofthsm2.so"})
	if !errors.Is(err, ErrNoCgo) || err.Error() != "trent was built without cgo; PKCS#11 needs cgo: rebuild with CGO_ENABLED=1 (and a C compiler)" {
		t.Fatalf("Open: %v", err)
	}
	if _, err := Slots(Config{}); !errors.Is(err, ErrNoCgo) {
		t.Fatalf("Slots: %v", err)
	}
	var tok *Token
	if _, err := tok.Wrap(1, 2, RSAESOAEPSHA256); !errors.Is(err, ErrNoCgo) {
		t.Fatalf("Wrap: %v", err)
	}
}
