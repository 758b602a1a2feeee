package kms_test

import (
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// TestCacheTTLAcrossNodes runs two Services on one store, as two nodes on
// one database: with Config.CacheTTL, a change made through one is seen by
// the other once its cached snapshot is older than the TTL, and not
// necessarily before; without a TTL the other node never rereads.
func TestCacheTTLAcrossNodes(t *testing.T) {
	ctx := sysCtx()
	dir := t.TempDir()
	st, err := sqlite.Open(dir + "/trent.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rk, err := rootkey.OpenSoftware(dir + "/root.key")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	const ttl = 2 * time.Second
	node := func(ttl time.Duration) *kms.Service {
		svc, err := kms.New(ctx, kms.Config{Store: st, RootKey: rk, Region: testRegion, AccountID: testAccount, Now: clk.Now, CacheTTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	a, b, exact := node(ttl), node(ttl), node(0)
	id := mustCreate(t, a, kms.CreateKeyInput{})
	if err := a.CreateAlias(ctx, "alias/app", id); err != nil {
		t.Fatal(err)
	}
	encrypt := func(svc *kms.Service, ref string) error {
		_, err := svc.Encrypt(ctx, ref, []byte("x"), nil, kms.CryptoOptions{})
		return err
	}
	for _, svc := range []*kms.Service{b, exact} {
		if err := encrypt(svc, "alias/app"); err != nil { // caches key and alias
			t.Fatal(err)
		}
	}
	if err := a.DisableKey(ctx, id); err != nil {
		t.Fatal(err)
	}
	clk.Advance(ttl - time.Millisecond)
	if err := encrypt(b, id); err != nil {
		t.Fatalf("within the TTL the cached Enabled state may still be used; got %v", err)
	}
	clk.Advance(time.Millisecond)
	wantKind(t, encrypt(b, id), kms.ErrDisabled, "")
	if err := encrypt(exact, id); err != nil {
		t.Fatalf("without a TTL a node keeps its snapshot; got %v", err)
	}

	// Alias retargeting is seen the same way.
	other := mustCreate(t, a, kms.CreateKeyInput{})
	if err := a.UpdateAlias(ctx, "alias/app", other); err != nil {
		t.Fatal(err)
	}
	clk.Advance(ttl)
	if err := encrypt(b, "alias/app"); err != nil {
		t.Fatalf("alias/app should now name the enabled key %s: %v", other, err)
	}
	s := b.CacheStats()
	if s.KeyHits == 0 || s.KeyMisses == 0 || s.AliasHits+s.AliasMisses == 0 || s.MaterialHits+s.MaterialMisses == 0 {
		t.Errorf("cache stats not counted: %+v", s)
	}
}
