package accesskey

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/sigv4"
)

// TestCacheTTL runs two Keyrings on one store, as two nodes on one
// database: a key deactivated through one is refused by the other once
// the other's cached copy is older than its TTL.
func TestCacheTTL(t *testing.T) {
	ctx := context.Background()
	a, _ := newKeyring(t)
	const ttl = 300 * time.Millisecond
	b := New(a.store, a.root, a.accountID)
	b.SetCacheTTL(ttl)
	if err := a.Put(ctx, "AKIATTLTEST", "s3cret", a.RootARN(), "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Secret(ctx, "AKIATTLTEST"); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	if err := a.SetStatus(ctx, "AKIATTLTEST", Inactive); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Secret(ctx, "AKIATTLTEST"); err != nil && time.Since(changed) < ttl/2 {
		t.Fatalf("the cached copy should still answer within the TTL: %v", err)
	}
	for {
		_, err := b.Secret(ctx, "AKIATTLTEST")
		if errors.Is(err, sigv4.ErrUnknownAccessKey) {
			break
		}
		if time.Since(changed) > ttl+100*time.Millisecond {
			t.Fatalf("deactivation not seen %v after the change (TTL %v): %v", time.Since(changed), ttl, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if hits, misses := b.CacheStats(); hits == 0 || misses < 2 {
		t.Errorf("CacheStats = %d hits, %d misses", hits, misses)
	}
}
