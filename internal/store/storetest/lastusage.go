package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// testLastUsage covers PutKeyUsages and GetKeyUsage: round trip with
// nanoseconds, the later usage wins in any write order, unknown keys are
// skipped, and a key's usage goes with the key.
func testLastUsage(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	usage := func(key int, op string, at time.Duration) store.KeyUsage {
		return store.KeyUsage{KeyID: keyID(key), Operation: op, Time: t0.Add(at),
			RequestID: "req-" + op, EventID: "evt-" + op}
	}
	put := func(t *testing.T, s store.Store, us ...store.KeyUsage) {
		t.Helper()
		if err := s.PutKeyUsages(ctx, us); err != nil {
			t.Fatalf("PutKeyUsages: %v", err)
		}
	}
	want := func(t *testing.T, s store.Store, w store.KeyUsage) {
		t.Helper()
		got, err := s.GetKeyUsage(ctx, w.KeyID)
		if err != nil {
			t.Fatalf("GetKeyUsage(%s): %v", w.KeyID, err)
		}
		if got.KeyID != w.KeyID || got.Operation != w.Operation || !got.Time.Equal(w.Time) ||
			got.Time.Location() != time.UTC || got.RequestID != w.RequestID || got.EventID != w.EventID {
			t.Errorf("GetKeyUsage = %+v, want %+v (in UTC)", got, w)
		}
	}
	notFound := func(t *testing.T, s store.Store, id string) {
		t.Helper()
		if _, err := s.GetKeyUsage(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetKeyUsage(%s) error = %v, want ErrNotFound", id, err)
		}
	}

	t.Run("NoneRecorded", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)))
		notFound(t, s, keyID(1))
		notFound(t, s, keyID(2))
		put(t, s) // an empty batch is fine
	})

	for _, tc := range []struct {
		name  string
		order []store.KeyUsage
		want  store.KeyUsage
	}{
		{"LaterWritten", []store.KeyUsage{usage(1, "Encrypt", time.Second), usage(1, "Decrypt", 2*time.Second)}, usage(1, "Decrypt", 2*time.Second)},
		{"EarlierWrittenLast", []store.KeyUsage{usage(1, "Sign", 5*time.Second), usage(1, "Verify", time.Nanosecond)}, usage(1, "Sign", 5*time.Second)},
		{"SameTimeKeepsFirst", []store.KeyUsage{usage(1, "GenerateMac", time.Second), usage(1, "VerifyMac", time.Second)}, usage(1, "GenerateMac", time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			mustCreate(t, s, minimalKey(keyID(1)))
			for _, u := range tc.order {
				put(t, s, u) // one batch each: the store decides, not the caller
			}
			want(t, s, tc.want)
		})
	}

	t.Run("BatchSkipsUnknownKeys", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)), minimalKey(keyID(3)))
		put(t, s, usage(3, "ReEncrypt", time.Minute), usage(2, "Encrypt", 0), usage(1, "ReEncrypt", time.Minute))
		want(t, s, usage(1, "ReEncrypt", time.Minute))
		want(t, s, usage(3, "ReEncrypt", time.Minute))
		notFound(t, s, keyID(2))
	})

	t.Run("DeletedWithKey", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)))
		put(t, s, usage(1, "Encrypt", 0))
		if err := s.DeleteKey(ctx, keyID(1)); err != nil {
			t.Fatal(err)
		}
		notFound(t, s, keyID(1))
		// A key created again under the ID starts without usage.
		mustCreate(t, s, minimalKey(keyID(1)))
		notFound(t, s, keyID(1))
	})

	t.Run("ConcurrentWritersLatestWins", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)), minimalKey(keyID(2)))
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				// Each writer batches both keys, in opposite orders.
				a, b := usage(1, "Encrypt", time.Duration(i)), usage(2, "Encrypt", time.Duration(i))
				if i%2 == 1 {
					a, b = b, a
				}
				if err := s.PutKeyUsages(ctx, []store.KeyUsage{a, b}); err != nil {
					t.Errorf("PutKeyUsages: %v", err)
				}
			})
		}
		wg.Wait()
		want(t, s, usage(1, "Encrypt", 7))
		want(t, s, usage(2, "Encrypt", 7))
	})
}
