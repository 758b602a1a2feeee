package storetest

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// Concurrency parameters: writers goroutines each apply increments updates.
const (
	writers    = 16
	increments = 25
)

// testConcurrency checks that UpdateKey is a serialised read-modify-write,
// that readers only ever see committed states, and that concurrent creates
// of one ID or alias name let exactly one caller win.
func testConcurrency(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("NoLostUpdate", func(t *testing.T) {
		s := open(t)
		k := minimalKey(keyID(1))
		k.Description = "0"
		mustCreate(t, s, k)

		var done atomic.Bool
		var readers, wg sync.WaitGroup
		// Readers check that every state they see is a committed one (the
		// counter matches the version) and that versions never go back.
		for range 4 {
			readers.Go(func() {
				var last int64
				for !done.Load() {
					k, err := s.GetKey(t.Context(), keyID(1))
					if err != nil {
						t.Errorf("GetKey: %v", err)
						return
					}
					n, err := strconv.Atoi(k.Description)
					if err != nil || int64(n) != k.Version-1 {
						t.Errorf("read counter %q at version %d: not a committed state", k.Description, k.Version)
						return
					}
					if k.Version < last {
						t.Errorf("version went back from %d to %d", last, k.Version)
						return
					}
					last = k.Version
				}
			})
		}
		for range writers {
			wg.Go(func() {
				for range increments {
					_, err := s.UpdateKey(t.Context(), keyID(1), func(k *store.Key) error {
						n, err := strconv.Atoi(k.Description)
						if err != nil {
							return err
						}
						k.Description = strconv.Itoa(n + 1)
						k.PendingWindowInDays++
						return nil
					})
					if err != nil {
						t.Errorf("UpdateKey: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		done.Store(true)
		readers.Wait()

		got := mustGet(t, s, keyID(1))
		const want = writers * increments
		if got.Description != strconv.Itoa(want) || got.PendingWindowInDays != want {
			t.Errorf("after %d concurrent increments: Description = %s, PendingWindowInDays = %d, want %d",
				want, got.Description, got.PendingWindowInDays, want)
		}
		checkVersion(t, "after concurrent increments", got, want+1)
	})

	t.Run("CreateRace", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(0)))
		var created, aliased atomic.Int32
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				k := minimalKey(keyID(1))
				k.Description = strconv.Itoa(i)
				switch err := s.CreateKey(t.Context(), k); {
				case err == nil:
					created.Add(1)
				case !errors.Is(err, store.ErrExists):
					t.Errorf("CreateKey: %v, want nil or ErrExists", err)
				}
				switch err := s.CreateAlias(t.Context(), alias("alias/race", keyID(0))); {
				case err == nil:
					aliased.Add(1)
				case !errors.Is(err, store.ErrExists):
					t.Errorf("CreateAlias: %v, want nil or ErrExists", err)
				}
			})
		}
		wg.Wait()
		if created.Load() != 1 || aliased.Load() != 1 {
			t.Errorf("%d CreateKey and %d CreateAlias calls succeeded, want exactly one each", created.Load(), aliased.Load())
		}
		checkVersion(t, "raced key", mustGet(t, s, keyID(1)), 1)
	})

	t.Run("ManyKeys", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				id := keyID(100 + i)
				if err := s.CreateKey(t.Context(), minimalKey(id)); err != nil {
					t.Errorf("CreateKey: %v", err)
					return
				}
				for range 5 {
					if _, err := s.UpdateKey(t.Context(), id, func(k *store.Key) error {
						k.PendingWindowInDays++
						return nil
					}); err != nil {
						t.Errorf("UpdateKey: %v", err)
						return
					}
				}
				if _, err := s.ListKeys(t.Context(), "", 100); err != nil {
					t.Errorf("ListKeys: %v", err)
				}
			})
		}
		wg.Wait()
		keys, err := s.ListKeys(t.Context(), "", 100)
		checkErr(t, "ListKeys", err, nil)
		if len(keys) != writers {
			t.Fatalf("ListKeys returned %d keys, want %d", len(keys), writers)
		}
		for _, k := range keys {
			if k.PendingWindowInDays != 5 || k.Version != 6 {
				t.Errorf("key %s: counter %d at version %d, want 5 at 6", k.ID, k.PendingWindowInDays, k.Version)
			}
		}
	})
}
