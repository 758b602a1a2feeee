package postgres

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/trent-kms/trent/internal/store/postgres/pgtest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The tests run against the server named by TRENT_TEST_POSTGRES_DSN (a
// superuser, or a user who may create schemas), or else against a
// throwaway cluster that TestMain starts with scripts/pg.sh and stops at
// the end. Every test works in a schema of its own, selected with
// search_path in the DSN, and drops it when done.
//
// Without PostgreSQL binaries the tests are skipped, unless CI=true.
var (
	testDSN  string // the server's DSN
	testDir  string // the cluster TestMain started, or ""
	testSkip string // why there is no server, if there is none
	testErr  string // why starting the server failed
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if testDSN = os.Getenv("TRENT_TEST_POSTGRES_DSN"); testDSN == "" {
		dir, err := os.MkdirTemp("", "trent-pg-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		switch testDSN, err = pgtest.Start(dir); {
		case errors.Is(err, pgtest.ErrNoBinaries):
			testSkip = err.Error()
		case err != nil:
			testErr = err.Error()
		default:
			testDir = dir
			defer pgtest.Stop(dir)
		}
	}
	defer closeAdmin()
	return m.Run()
}

// needServer skips or fails t when there is no server.
func needServer(t testing.TB) {
	t.Helper()
	switch {
	case testErr != "":
		t.Fatal(testErr)
	case testSkip != "" && os.Getenv("CI") == "true":
		t.Fatal(testSkip)
	case testSkip != "":
		t.Skip(testSkip)
	}
}

var (
	adminOnce sync.Once
	admin     *pgxpool.Pool
	adminErr  error
	schemaSeq atomic.Int64
)

// adminPool returns a pool on the test server's DSN as given.
func adminPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	needServer(t)
	adminOnce.Do(func() { admin, adminErr = pgxpool.New(context.Background(), testDSN) })
	if adminErr != nil {
		t.Fatal(adminErr)
	}
	return admin
}

func closeAdmin() {
	if admin != nil {
		admin.Close()
	}
}

// freshSchema creates an empty schema, dropped at the end of the test, and
// returns a DSN whose search_path selects it.
func freshSchema(t testing.TB) string {
	t.Helper()
	return schemaOn(t, adminPool(t), testDSN)
}

// schemaOn creates an empty schema through pool, dropped at the end of the
// test, and returns dsn with a search_path that selects it.
func schemaOn(t testing.TB, pool *pgxpool.Pool, dsn string) string {
	t.Helper()
	name := fmt.Sprintf("trent_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if err := adminExec(pool, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := adminExec(pool, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return withParam(dsn, "search_path", name)
}

// adminExec runs a statement, again on another connection if the first
// was broken by a server restart (TestServerRestart).
func adminExec(pool *pgxpool.Pool, sql string) error {
	var err error
	for range 5 {
		if _, err = pool.Exec(context.Background(), sql); err == nil || !connectionLost(err) {
			return err
		}
	}
	return err
}

// withParam returns dsn, a URL or key=value connection string, with a
// run-time parameter set.
func withParam(dsn, name, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set(name, value)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " " + name + "=" + value
}

// openTemp opens a store in a fresh schema, closed at the end of the test.
func openTemp(t testing.TB) *Store {
	t.Helper()
	return openDSN(t, freshSchema(t))
}

// openDSN opens a store on dsn, closed at the end of the test.
func openDSN(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}
