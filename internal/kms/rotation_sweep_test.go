package kms_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// TestDecryptAfterRotationOnAnotherNode: two nodes share a store and cache
// keys for an hour. A node whose snapshot predates a rotation made by the
// other must still decrypt what the other encrypted under the new
// material, and must not lose the old material either.
func TestDecryptAfterRotationOnAnotherNode(t *testing.T) {
	ctx := sysCtx()
	dir := t.TempDir()
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	node := func() *kms.Service {
		st, err := sqlite.Open(filepath.Join(dir, "trent.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		rk, err := rootkey.OpenSoftware(filepath.Join(dir, "root.key"))
		if err != nil {
			t.Fatal(err)
		}
		svc, err := kms.New(context.Background(), kms.Config{Store: st, RootKey: rk, Region: testRegion,
			AccountID: testAccount, Now: clk.Now, CacheTTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	a, b := node(), node()
	id := mustCreate(t, a, kms.CreateKeyInput{})
	old, err := b.Encrypt(ctx, id, []byte("old"), nil, kms.CryptoOptions{}) // b caches the key
	must(t, err)
	if _, err := a.RotateKeyOnDemand(ctx, id); err != nil {
		t.Fatal(err)
	}
	fresh, err := a.Encrypt(ctx, id, []byte("new"), nil, kms.CryptoOptions{})
	must(t, err)
	for _, tc := range []struct {
		blob []byte
		want string
	}{{fresh.Blob, "new"}, {old.Blob, "old"}} {
		decrypts(t, b, tc.blob, tc.want)
	}
	// b now knows the new material and encrypts under it.
	enc, err := b.Encrypt(ctx, id, []byte("x"), nil, kms.CryptoOptions{})
	if err != nil || enc.MaterialID != fresh.MaterialID {
		t.Fatalf("b encrypts under %s, want %s (%v)", enc.MaterialID, fresh.MaterialID, err)
	}
}
