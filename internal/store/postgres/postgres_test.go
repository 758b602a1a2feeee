package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	needServer(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestReopen(t *testing.T) {
	needServer(t)
	var mu sync.Mutex
	dsns := map[string]string{} // RunReopen's directory: the schema's DSN
	storetest.RunReopen(t, func(t *testing.T, dir string) store.Store {
		mu.Lock()
		dsn, ok := dsns[dir]
		if !ok {
			dsn = freshSchema(t)
			dsns[dir] = dsn
		}
		mu.Unlock()
		s, err := Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestTwoStores runs two Stores on one database, as two nodes would: each
// sees the other's writes, and concurrent updates of one key from both
// lose nothing.
func TestTwoStores(t *testing.T) {
	dsn := freshSchema(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	ctx := t.Context()

	k := &store.Key{ID: "shared", Description: "0", State: "Enabled"}
	if err := a.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if got, err := b.GetKey(ctx, "shared"); err != nil || got.Description != "0" {
		t.Fatalf("B GetKey = %+v, %v", got, err)
	}
	if err := b.CreateKey(ctx, &store.Key{ID: "shared"}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("B CreateKey of A's key: %v, want ErrExists", err)
	}
	if err := b.CreateAlias(ctx, store.Alias{Name: "alias/b", KeyID: "shared"}); err != nil {
		t.Fatal(err)
	}
	if al, err := a.GetAlias(ctx, "alias/b"); err != nil || al.KeyID != "shared" {
		t.Fatalf("A GetAlias = %+v, %v", al, err)
	}
	if err := a.CreateUser(ctx, store.User{Name: "alice", UserID: "AIDA1"}); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateUser(ctx, store.User{Name: "alice", UserID: "AIDA2"}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("B CreateUser of A's user: %v, want ErrExists", err)
	}
	if err := b.CreateGrant(ctx, store.Grant{KeyID: "shared", GrantID: "g", RetiringPrincipal: "r"}); err != nil {
		t.Fatal(err)
	}
	if gs, err := a.ListRetirableGrants(ctx, "r", "", "", 10); err != nil || len(gs) != 1 {
		t.Fatalf("A ListRetirableGrants = %+v, %v", gs, err)
	}
	va, err := a.InitMeta(ctx, "node", []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	if vb, err := b.InitMeta(ctx, "node", []byte("b")); err != nil || string(vb) != string(va) {
		t.Fatalf("B InitMeta = %q, %v; A's = %q", vb, err, va)
	}

	// Concurrent read-modify-writes of one key from both stores.
	const workers, increments = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Go(func() {
			for range increments {
				if _, err := s.UpdateKey(ctx, "shared", func(k *store.Key) error {
					n, err := strconv.Atoi(k.Description)
					k.Description = strconv.Itoa(n + 1)
					return err
				}); err != nil {
					t.Errorf("UpdateKey: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	for i, s := range []*Store{a, b} {
		got, err := s.GetKey(ctx, "shared")
		if err != nil {
			t.Fatal(err)
		}
		if got.Description != strconv.Itoa(workers*increments) || got.Version != workers*increments+1 {
			t.Errorf("store %d: counter %s at version %d after %d increments, want %d at %d",
				i, got.Description, got.Version, workers*increments, workers*increments, workers*increments+1)
		}
	}

	// DeleteKey on one store cascades for the other.
	if err := b.DeleteKey(ctx, "shared"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetAlias(ctx, "alias/b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("A GetAlias after B's DeleteKey: %v, want ErrNotFound", err)
	}
	if _, err := a.GetGrant(ctx, "shared", "g"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("A GetGrant after B's DeleteKey: %v, want ErrNotFound", err)
	}
}

// TestRowLock checks that UpdateKey locks one row, not the table: while an
// update of one key is in progress on one store, an update of another key
// completes, and an update of the same key waits.
func TestRowLock(t *testing.T) {
	dsn := freshSchema(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	ctx := t.Context()
	for _, id := range []string{"k1", "k2"} {
		if err := a.CreateKey(ctx, &store.Key{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	// inFn has room for the first call's signal: a send on an unbuffered
	// channel that the test is not receiving on yet would take the select's
	// default and leave the test waiting forever.
	inFn, release := make(chan struct{}, 1), make(chan struct{})
	var releaseOnce sync.Once
	// Released on every exit, so that a failing test does not leave the
	// update, and Close, waiting forever.
	defer releaseOnce.Do(func() { close(release) })
	done := make(chan error, 1)
	go func() {
		_, err := a.UpdateKey(ctx, "k1", func(k *store.Key) error {
			k.Description = "a"
			select {
			case inFn <- struct{}{}:
			default: // a retry: the test already knows
			}
			<-release
			return nil
		})
		done <- err
	}()
	<-inFn

	if _, err := b.UpdateKey(ctx, "k2", func(k *store.Key) error { k.Description = "b"; return nil }); err != nil {
		t.Fatalf("UpdateKey of another key while k1 is locked: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err := b.UpdateKey(short, "k1", func(k *store.Key) error { k.Description = "b"; return nil })
	cancel()
	if err == nil {
		t.Fatal("UpdateKey of k1 did not wait for the update in progress")
	}
	if k, err := b.GetKey(ctx, "k1"); err != nil || k.Version != 1 {
		t.Fatalf("GetKey during the update = %+v, %v: readers must not wait and see only committed states", k, err)
	}

	releaseOnce.Do(func() { close(release) })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err := b.UpdateKey(ctx, "k1", func(k *store.Key) error { k.Description += "b"; return nil })
	if err != nil || got.Description != "ab" || got.Version != 3 {
		t.Fatalf("UpdateKey after the lock was released = %+v, %v; want ab at version 3", got, err)
	}
}

// TestConcurrentOpen opens several Stores on one empty schema at once, as
// nodes starting together would: every Open succeeds and the schema is
// created once. Without advisory locks (simulated by a lock function that
// does not exist) the race is settled by retries.
func TestConcurrentOpen(t *testing.T) {
	needServer(t)
	for _, tc := range []struct {
		name string
		lock string
	}{
		{"AdvisoryLock", lockStatement},
		{"NoAdvisoryLock", `SELECT trent_no_such_function($1)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := lockStatement
			lockStatement = tc.lock
			defer func() { lockStatement = saved }()

			dsn := freshSchema(t)
			const n = 6
			stores := make([]*Store, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { stores[i], errs[i] = Open(t.Context(), dsn) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("Open #%d: %v", i, err)
					continue
				}
				defer stores[i].Close()
			}
			if t.Failed() {
				return
			}
			var version int
			if err := stores[0].pool.QueryRow(t.Context(), `SELECT version FROM trent_schema`).Scan(&version); err != nil {
				t.Fatal(err)
			}
			if version != schemaVersion {
				t.Errorf("schema version %d, want %d", version, schemaVersion)
			}
			// Every store works on the one schema.
			for i, s := range stores {
				if err := s.CreateKey(t.Context(), &store.Key{ID: fmt.Sprint(i)}); err != nil {
					t.Errorf("store %d: %v", i, err)
				}
			}
			keys, err := stores[n-1].ListKeys(t.Context(), "", 100)
			if err != nil || len(keys) != n {
				t.Errorf("ListKeys = %d keys, %v; want %d", len(keys), err, n)
			}
		})
	}
}

func TestSchemaVersion(t *testing.T) {
	dsn := freshSchema(t)
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	// Reopening an up-to-date schema migrates nothing.
	s.Close()
	if s, err = Open(t.Context(), dsn); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	// A schema from a newer Trent is refused.
	if _, err := s.pool.Exec(t.Context(), `UPDATE trent_schema SET version = $1`, schemaVersion+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(t.Context(), dsn); err == nil {
		s.Close()
		t.Fatal("Open accepted a schema newer than the code")
	} else if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open error = %v, want a newer-schema error", err)
	}
}

// TestDurabilityCheck: Open refuses sessions whose commits are not durable.
func TestDurabilityCheck(t *testing.T) {
	dsn := freshSchema(t)
	s, err := Open(t.Context(), withParam(dsn, "synchronous_commit", "off"))
	if err == nil {
		s.Close()
		t.Fatal("Open accepted synchronous_commit=off")
	}
	if !strings.Contains(err.Error(), "synchronous_commit") {
		t.Errorf("Open error = %v, want one naming synchronous_commit", err)
	}
	// Turning it on in the DSN is accepted (and is what the error advises).
	openDSN(t, withParam(dsn, "synchronous_commit", "on"))
}

func TestOpenErrors(t *testing.T) {
	needServer(t)
	for _, dsn := range []string{
		"postgres://127.0.0.1:1/nothing?sslmode=disable&connect_timeout=2", // nothing listens
		"not a dsn ===",
		withParam(testDSN, "database", "trent_no_such_database"),
	} {
		if s, err := Open(t.Context(), dsn); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}

// TestNUL documents a difference from SQLite: PostgreSQL text cannot hold
// NUL bytes, so such a name is refused with an error (not stored altered).
// Strings inside JSON documents are escaped and round-trip.
func TestNUL(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	if err := s.CreateKey(ctx, &store.Key{ID: "k", Description: "a\x00b"}); err != nil {
		t.Fatal(err)
	}
	if k, err := s.GetKey(ctx, "k"); err != nil || k.Description != "a\x00b" {
		t.Fatalf("GetKey = %+v, %v", k, err)
	}
	if err := s.CreateAlias(ctx, store.Alias{Name: "alias/a\x00b", KeyID: "k"}); err == nil {
		t.Error("CreateAlias stored a name with a NUL byte")
	}
}
