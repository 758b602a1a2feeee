package kms_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// clock is a settable time source for driving deletion windows.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	testRegion  = "eu-west-1"
	testAccount = "123456789012"
)

// newService returns a Service on a fresh SQLite store in a temp dir.
func newService(t *testing.T) (*kms.Service, *clock) {
	svc, clk, _ := newServiceStore(t)
	return svc, clk
}

// newServiceStore also returns the store, for tests that add users.
func newServiceStore(t *testing.T) (*kms.Service, *clock, store.Store) {
	t.Helper()
	st, err := sqlite.Open(t.TempDir() + "/trent.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rk, err := rootkey.OpenSoftware(t.TempDir() + "/root.key")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	svc, err := kms.New(context.Background(), kms.Config{
		Store: st, RootKey: rk, Region: testRegion, AccountID: testAccount, Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc, clk, st
}

// wantKind fails the test unless err is a kms error of the given kind with
// the given message (message checked only if not empty).
func wantKind(t *testing.T, err error, kind error, msg string) {
	t.Helper()
	var e *kms.Error
	if !errors.As(err, &e) || !errors.Is(err, kind) {
		t.Fatalf("err = %v (%T), want kind %v", err, err, kind)
	}
	if msg != "" && e.Message != msg {
		t.Fatalf("message = %q, want %q", e.Message, msg)
	}
}

func mustCreate(t *testing.T, svc *kms.Service, in kms.CreateKeyInput) string {
	t.Helper()
	k, err := svc.CreateKey(sysCtx(), in)
	if err != nil {
		t.Fatal(err)
	}
	return k.ID
}

// sysCtx is the context of a trusted in-process caller: the tests of the
// core's rules act as Trent itself (the core refuses a context without a
// principal; see TestNoPrincipalRefused).
func sysCtx() context.Context { return identity.WithSystem(context.Background()) }
