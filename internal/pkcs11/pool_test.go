//go:build cgo

package pkcs11

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
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

func TestPoolAESGCM(t *testing.T) {
	cfg := softHSMConfig(t)
	key := poolKey(t, cfg)
	p, err := OpenPool(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.CheckAESGCM(); err != nil {
		t.Fatal(err)
	}
	iv := bytes.Repeat([]byte{9}, GCMIVSize)
	used, ct, err := p.EncryptAESGCM(key, iv, []byte("aad"), []byte("plaintext"))
	if err != nil || len(used) != GCMIVSize || len(ct) != len("plaintext")+GCMTagSize {
		t.Fatalf("EncryptAESGCM = %x, %x, %v", used, ct, err)
	}
	pt, err := p.DecryptAESGCM(key, used, []byte("aad"), ct)
	if err != nil || string(pt) != "plaintext" {
		t.Fatalf("DecryptAESGCM = %q, %v", pt, err)
	}
	tampered := bytes.Clone(ct)
	tampered[0] ^= 1
	for _, tc := range []struct {
		name        string
		key         PoolKey
		iv, aad, ct []byte
		want        string // "" for ErrDecryptFailed
	}{
		{"other aad", key, used, []byte("other"), ct, ""},
		{"tampered", key, used, []byte("aad"), tampered, ""},
		{"short iv", key, used[:8], []byte("aad"), ct, ""},
		{"no such key", PoolKey{Label: "no-such-key"}, used, []byte("aad"), ct, `0 secret keys match label "no-such-key"`},
		{"wrong id", PoolKey{Label: key.Label, ID: []byte("other id"), Protected: true}, used, []byte("aad"), ct, "0 secret keys match"},
		{"no selection", PoolKey{}, used, []byte("aad"), ct, "selects no key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.DecryptAESGCM(tc.key, tc.iv, tc.aad, tc.ct)
			if tc.want == "" && !errors.Is(err, ErrDecryptFailed) || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// The sessions survived the refusals.
	if pt, err := p.DecryptAESGCM(key, used, []byte("aad"), ct); err != nil || string(pt) != "plaintext" {
		t.Fatalf("after refusals: %q, %v", pt, err)
	}
	if p.Calls() < 4 {
		t.Fatalf("%d token calls", p.Calls())
	}
	p.Close()
	if _, _, err := p.EncryptAESGCM(key, iv, nil, nil); !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("after Close: %v", err)
	}
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
