//go:build cgo

package pkcs11

import (
	"fmt"
	"sync"
	"testing"
	"time"

	mp "github.com/miekg/pkcs11"
)

// poolKey generates a private, sensitive, non-extractable AES-256 token key
// with a fresh label in the test token and returns how to select it.
func poolKey(t *testing.T, cfg Config) PoolKey {
	t.Helper()
	tok, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	label := fmt.Sprintf("pool-%d", time.Now().UnixNano())
	id := []byte(label)
	if _, err := tok.GenerateSecretKey(KeySpec{Type: KeyTypeAES, Bytes: 32, Label: label, ID: id, Token: true,
		Private: true, Sensitive: true, Encrypt: true, Decrypt: true}); err != nil {
		t.Fatal(err)
	}
	return PoolKey{Label: label, ID: id, Protected: true}
}

// TestPoolRecovers drops every session of the token underneath the pool,
// as a token restart does: the next operations log in again and work.
func TestPoolRecovers(t *testing.T) {
	cfg := softHSMConfig(t)
	key := poolKey(t, cfg)
	pins := 0
	pin := cfg.PIN
	cfg.PIN = func(ti TokenInfo) (string, error) { pins++; return pin(ti) }
	p, err := OpenPool(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	work := func() {
		t.Helper()
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				iv := make([]byte, GCMIVSize)
				used, ct, err := p.EncryptAESGCM(key, iv, nil, []byte("x"))
				if err == nil {
					_, err = p.DecryptAESGCM(key, used, nil, ct)
				}
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
	}
	work()
	for i, restart := range []func(ctx *mp.Ctx) error{
		func(ctx *mp.Ctx) error { return ctx.CloseAllSessions(p.Info().Slot) },
		func(ctx *mp.Ctx) error {
			if err := ctx.Finalize(); err != nil {
				return err
			}
			return ctx.Initialize()
		},
	} {
		if err := restart(p.ctx); err != nil {
			t.Fatal(err)
		}
		work()
		if p.Recoveries() != int64(i+1) {
			t.Fatalf("%d recoveries, want %d", p.Recoveries(), i+1)
		}
	}
	if pins != 1 {
		t.Fatalf("the PIN function was called %d times, want once (the PIN is remembered)", pins)
	}
}
