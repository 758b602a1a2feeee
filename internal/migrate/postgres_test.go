package migrate

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/postgres"
)

// The PostgreSQL tests run against TRENT_TEST_POSTGRES_DSN, or a throwaway
// cluster started with scripts/pg.sh (stopped by stopPostgres, or by its
// watchdog); without PostgreSQL binaries they are skipped unless CI=true.
var (
	pgOnce sync.Once
	pgDSN  string
	pgDir  string
	pgErr  error
	pgSeq  int
)

func postgresDSN(t *testing.T) string {
	t.Helper()
	pgOnce.Do(func() {
		if pgDSN = os.Getenv("TRENT_TEST_POSTGRES_DSN"); pgDSN != "" {
			return
		}
		dir, err := os.MkdirTemp("", "trent-migrate-pg-")
		if err != nil {
			pgErr = err
			return
		}
		cmd := exec.Command(filepath.Join("..", "..", "scripts", "pg.sh"), "start", dir)
		cmd.Env = append(os.Environ(), "PG_SH_WATCH_PID="+strconv.Itoa(os.Getpid()))
		out, err := cmd.Output()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit) && exit.ExitCode() == 3:
			pgErr = errors.New("PostgreSQL binaries not found (install postgresql or set TRENT_TEST_POSTGRES_DSN)")
		case errors.As(err, &exit):
			pgErr = fmt.Errorf("pg.sh start: %v: %s", err, exit.Stderr)
		case err != nil:
			pgErr = err
		default:
			pgDSN, pgDir = strings.TrimSpace(string(out)), dir
		}
		if pgDir == "" {
			os.RemoveAll(dir)
		}
	})
	if pgErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(pgErr)
		}
		t.Skip(pgErr)
	}
	return pgDSN
}

func stopPostgres() {
	if pgDir != "" {
		_ = exec.Command(filepath.Join("..", "..", "scripts", "pg.sh"), "stop", pgDir).Run()
		os.RemoveAll(pgDir)
	}
}

// pgSchema creates a schema for the test, dropped at its end, and returns
// a DSN that selects it.
func pgSchema(t *testing.T) string {
	t.Helper()
	dsn := postgresDSN(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	pgSeq++
	name := fmt.Sprintf("trent_migrate_%d_%d", os.Getpid(), pgSeq)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(ctx, dsn); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
			c.Close(ctx)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func pgFixture(t *testing.T) *fixture {
	dsn := pgSchema(t)
	return &fixture{dir: t.TempDir(), secrets: map[string]string{},
		open: func(t *testing.T) store.Store {
			t.Helper()
			st, err := postgres.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}}
}

func TestMigratePostgres(t *testing.T) {
	f := pgFixture(t)
	from, _ := rootkey.OpenSoftware(filepath.Join(f.dir, "root.key"))
	to, _ := rootkey.OpenSoftware(filepath.Join(t.TempDir(), "new.key"))
	f.populate(t, from, 4)
	crash := errors.New("crash")
	if _, err := runMigration(t, f, from, to, func(done int) error {
		if done == 2 {
			return crash
		}
		return nil
	}); !errors.Is(err, crash) {
		t.Fatalf("interrupted: %v", err)
	}
	rep, err := runMigration(t, f, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 4 + 1 materials, 1 import parameter set, 3 access keys, 2 secrets.
	if rep.Resealed+rep.Skipped != 11 || rep.Skipped == 0 || rep.Verified != 11 {
		t.Fatalf("report %+v", rep)
	}
	checkMigrated(t, f, to)
	st := f.open(t)
	defer st.Close()
	if err := rootkey.CheckKind(context.Background(), st, from); !errors.Is(err, rootkey.ErrWrongRootKey) {
		t.Fatalf("CheckKind with the old key: %v", err)
	}
}
