package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/storetest"
)

// openTemp opens a fresh store in a temporary directory, closed at the end
// of the test.
func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "trent.db"))
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

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestReopen(t *testing.T) {
	storetest.RunReopen(t, func(t *testing.T, dir string) store.Store {
		s, err := Open(filepath.Join(dir, "trent.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trent.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A write makes SQLite create the -wal and -shm files.
	if err := s.CreateKey(t.Context(), &store.Key{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), mode)
		}
	}
}

func TestPragmas(t *testing.T) {
	s := openTemp(t)
	for _, tc := range []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{s.w, "journal_mode", "wal"},
		{s.w, "synchronous", "2"},
		{s.w, "foreign_keys", "1"},
		{s.w, "busy_timeout", strconv.Itoa(busyTimeoutMillis)},
		{s.w, "user_version", strconv.Itoa(len(migrations))},
		{s.r, "journal_mode", "wal"},
		{s.r, "query_only", "1"},
		{s.r, "busy_timeout", strconv.Itoa(busyTimeoutMillis)},
	} {
		var got string
		if err := tc.db.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			pool := "read"
			if tc.db == s.w {
				pool = "write"
			}
			t.Errorf("%s pool: PRAGMA %s = %s, want %s", pool, tc.pragma, got, tc.want)
		}
	}
	if _, err := s.r.Exec(`DELETE FROM keys`); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trent.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// Reopening an up-to-date file migrates nothing.
	s.Close()
	if s, err = Open(path); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	// A file from a newer Trent is refused.
	if _, err := s.w.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations)+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("Open accepted a schema newer than the code")
	} else if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open error = %v, want a newer-schema error", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{
		filepath.Join(dir, "missing", "trent.db"), // no such directory
		dir, // a directory
	} {
		if s, err := Open(path); err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded", path)
		}
	}
	// Not a database.
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not sqlite ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(junk); err == nil {
		s.Close()
		t.Error("Open accepted a file that is not a database")
	}
}

// TestPathEscaping opens a file whose name holds URI metacharacters.
func TestPathEscaping(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?x=1#%20", "t r?e#n%t.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateKey(t.Context(), &store.Key{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the given path: %v", err)
	}
}

// TestMigrateFromVersion1 opens a file written by a Trent that had only the
// first schema: its data stays and the IAM tables appear.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trent.db")
	db, err := sql.Open("sqlite", dsn(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range append(migrations[0],
		`PRAGMA user_version = 1`,
		`INSERT INTO keys (id, version, due_at, doc) VALUES ('k', 3, NULL, '{"id":"k","state":"Enabled"}')`,
		`INSERT INTO credentials VALUES ('AKIAOLD', 'arn:aws:iam::111122223333:user/alice', 'alice', x'00', 'Active', '2025-01-01T00:00:00Z')`,
	) {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version int
	if err := s.w.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("user_version = %d (%v), want %d", version, err, len(migrations))
	}
	ctx := t.Context()
	if k, err := s.GetKey(ctx, "k"); err != nil || k.Version != 3 || k.State != "Enabled" {
		t.Fatalf("GetKey after migration = %+v, %v", k, err)
	}
	if creds, err := s.ListCredentials(ctx, "alice"); err != nil || len(creds) != 1 {
		t.Fatalf("ListCredentials after migration = %+v, %v", creds, err)
	}
	if err := s.CreateUser(ctx, store.User{Name: "alice", UserID: "AIDA1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateGrant(ctx, store.Grant{KeyID: "k", GrantID: "g"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteKey(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetGrant(ctx, "k", "g"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetGrant after DeleteKey: %v, want ErrNotFound", err)
	}
}
