//go:build cgo

package pkcs11

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestPoolKeyAttributes reads a pooled key's type, size and usage, sees a
// usage change made through another session, and reports a deleted key
// as ErrKeyNotFound.
func TestPoolKeyAttributes(t *testing.T) {
	cfg := softHSMConfig(t)
	tok, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	label := fmt.Sprintf("attrs-%d", time.Now().UnixNano())
	_, err = tok.GenerateSecretKey(KeySpec{Type: KeyTypeAES, Bytes: 32, Label: label, Token: true, Private: true,
		Sensitive: true, Modifiable: true, Encrypt: true, Decrypt: true})
	tok.Close()
	if err != nil {
		t.Fatal(err)
	}
	key := PoolKey{Label: label}
	p, err := OpenPool(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	a, err := p.KeyAttributes(key)
	if err != nil {
		t.Fatal(err)
	}
	if a.KeyType != KeyTypeAES || a.ValueLen == nil || *a.ValueLen != 32 ||
		a.Encrypt == nil || !*a.Encrypt || a.Decrypt == nil || !*a.Decrypt || a.Sign == nil || *a.Sign {
		t.Fatalf("KeyAttributes = %+v", a)
	}
	objs, err := p.Token().FindObjects(Filter{Class: "secret-key", Label: key.Label})
	if err != nil || len(objs) != 1 {
		t.Fatalf("FindObjects = %v, %v", objs, err)
	}
	if err := p.Token().SetAttributes(objs[0].Handle, AttrChanges{Bool: map[string]bool{"encrypt": false}}); err != nil {
		t.Fatal(err)
	}
	if a, err = p.KeyAttributes(key); err != nil || a.Encrypt == nil || *a.Encrypt {
		t.Fatalf("after clearing CKA_ENCRYPT: %+v, %v", a, err)
	}
	if err := p.Token().DestroyObject(objs[0].Handle); err != nil {
		t.Fatal(err)
	}
	if _, err := p.KeyAttributes(key); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("deleted key: %v, want ErrKeyNotFound", err)
	}
	if _, _, err := p.EncryptAESGCM(key, make([]byte, GCMIVSize), nil, []byte("x")); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("encrypt with a deleted key: %v, want ErrKeyNotFound", err)
	}
}
