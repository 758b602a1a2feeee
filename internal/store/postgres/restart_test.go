package postgres

import (
	"context"
	"errors"
	"fmt"
	"github.com/trent-kms/trent/internal/store/postgres/pgtest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/trent-kms/trent/internal/store"
)

// restartableCluster returns the directory and DSN of a cluster the test
// may stop and start with scripts/pg.sh: the one TestMain started, or else
// (the server came from TRENT_TEST_POSTGRES_DSN) a private one.
func restartableCluster(t *testing.T) (dir, dsn string) {
	t.Helper()
	needServer(t)
	if testDir != "" {
		return testDir, testDSN
	}
	dir, err := os.MkdirTemp("", "trent-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	dsn, err = pgtest.Start(dir)
	switch {
	case errors.Is(err, pgtest.ErrNoBinaries) && os.Getenv("CI") != "true":
		t.Skip(err)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() { pgtest.Run("stop", dir) })
	return dir, dsn
}

// TestServerRestart stops and restarts the server under an open Store,
// which is never reopened: calls fail while the server is down and succeed
// again shortly after it is back, with every acknowledged write there.
func TestServerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts the server")
	}
	dir, dsn := restartableCluster(t)
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := openDSN(t, schemaOn(t, pool, dsn))
	ctx := t.Context()
	if err := s.CreateKey(ctx, &store.Key{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	updates := 0 // acknowledged updates of k

	// restart stops the server, calls down while it is down, and starts it
	// again; a failed test still leaves the server running.
	restart := func(down func()) {
		t.Helper()
		if _, err := pgtest.Run("stop", dir); err != nil {
			t.Fatal(err)
		}
		if down != nil {
			func() {
				defer func() {
					if t.Failed() {
						pgtest.Run("start", dir)
					}
				}()
				down()
			}()
		}
		if _, err := pgtest.Run("start", dir); err != nil {
			t.Fatal(err)
		}
	}
	// busy fills the pool with connections (which the restart breaks) or,
	// after a restart, checks that every kind of call works again: it runs
	// concurrent updates and reads and returns how many calls failed before
	// all had succeeded, failing t after 10 s.
	busy := func(what string) int {
		t.Helper()
		start := time.Now()
		var mu sync.Mutex
		failures := 0
		var wg sync.WaitGroup
		for i := range 9 {
			wg.Go(func() {
				for {
					var err error
					switch i % 3 {
					case 0: // a transaction
						_, err = s.UpdateKey(ctx, "k", func(k *store.Key) error {
							k.PendingWindowInDays++
							return nil
						})
					case 1: // a read
						_, err = s.GetKey(ctx, "k")
					case 2: // a single-statement write
						err = s.CreateKey(ctx, &store.Key{ID: fmt.Sprintf("%s-%d", what, i)})
					}
					if errors.Is(err, store.ErrExists) {
						// An earlier attempt was committed, but its
						// connection was lost before the answer came:
						// acknowledged or not, the key is there.
						err = nil
					}
					if err == nil {
						if i%3 == 0 {
							mu.Lock()
							updates++
							mu.Unlock()
						}
						return
					}
					mu.Lock()
					failures++
					mu.Unlock()
					t.Logf("%s: call %d failed: %v", what, i, err)
					if time.Since(start) > 10*time.Second {
						t.Errorf("%s: calls still fail after %v", what, time.Since(start))
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			})
		}
		wg.Wait()
		t.Logf("%s: every call succeeded within %v, after %d failed calls", what, time.Since(start).Round(time.Millisecond), failures)
		return failures
	}

	busy("before")
	// A restart between two calls: the pool holds only dead connections.
	restart(nil)
	busy("after a quick restart")

	// A restart with calls while the server is down: they fail.
	restart(func() {
		down, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := s.GetKey(down, "k"); err == nil {
			t.Fatal("GetKey succeeded while the server was down")
		} else {
			t.Logf("while down: %v", err)
		}
		if _, err := s.UpdateKey(down, "k", func(*store.Key) error { return nil }); err == nil {
			t.Fatal("UpdateKey succeeded while the server was down")
		}
	})
	busy("after a restart with calls while down")

	k, err := s.GetKey(ctx, "k")
	if err != nil || k.PendingWindowInDays != updates || k.Version != int64(updates)+1 {
		t.Fatalf("GetKey after restarts = %+v, %v; want %d acknowledged updates", k, err, updates)
	}
}
