package rootkey

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

func TestFence(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "trent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rk, err := NewSoftware(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckKind(ctx, st, rk); err != nil {
		t.Fatal(err)
	}
	fenced := Fence(st, rk).(*fencedStore)
	now := time.Now()
	fenced.now = func() time.Time { return now }
	key := func(i int) *store.Key {
		return &store.Key{ID: "0000000" + string(rune('0'+i)) + "-1234-4abc-8def-000000000000", CreatedAt: now,
			KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", State: "Enabled"}
	}
	setKind := func(v string) {
		t.Helper()
		cur, _, err := st.GetMeta(ctx, KindMetaName)
		if err == nil {
			err = st.SwapMeta(ctx, KindMetaName, cur, []byte(v))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, tc := range []struct {
		name    string
		kind    string        // recorded before the write; "" leaves it
		advance time.Duration // the clock moves this much before the write
		want    string        // in the error; "" for success
	}{
		{"the node's key", "", 0, ""},
		{"mark not seen yet", MigratingPrefix + "pkcs11:ab", time.Second, ""},
		{"migration running", "", FenceInterval, "a migration of the root key from " + rk.ID() + " to pkcs11:ab is running"},
		{"migrated", "pkcs11:ab", FenceInterval, "the data is sealed under pkcs11:ab now, not " + rk.ID()},
		{"back to the node's key", rk.ID(), FenceInterval, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.kind != "" {
				setKind(tc.kind)
			}
			now = now.Add(tc.advance)
			err := fenced.CreateKey(ctx, key(i))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CreateKey: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrFenced) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CreateKey = %v, want ErrFenced with %q", err, tc.want)
			}
			// Other writes are refused too; reads are not.
			if err := fenced.PutCredential(ctx, store.Credential{AccessKeyID: "AKIAFENCED0000000001"}); !errors.Is(err, ErrFenced) {
				t.Fatalf("PutCredential = %v", err)
			}
			if _, err := fenced.UpdateKey(ctx, key(0).ID, func(*store.Key) error { return nil }); !errors.Is(err, ErrFenced) {
				t.Fatalf("UpdateKey = %v", err)
			}
			if _, err := fenced.GetKey(ctx, key(0).ID); err != nil {
				t.Fatalf("GetKey on a fenced store: %v", err)
			}
		})
	}
}

// A store without store.Migrator cannot be fenced: Fence returns it as is.
func TestFenceWithoutMigrator(t *testing.T) {
	var st struct{ store.Store }
	rk, _ := NewSoftware(bytes.Repeat([]byte{1}, 32))
	if got := Fence(st, rk); got != store.Store(st) {
		t.Fatalf("Fence = %T", got)
	}
}
