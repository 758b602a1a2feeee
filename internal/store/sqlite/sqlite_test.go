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

// TestSharedIAMRaces races the IAM rules across two Stores on one file,
// as two processes would.
func TestSharedIAMRaces(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "shared.db")
		var out [2]store.Store
		for i := range out {
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			out[i] = s
		}
		return out[0], out[1]
	})
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
	// alice has no user (version 1 had no users): her key could never
	// authenticate, and version 3 deletes it rather than give it to a
	// future alice.
	if creds, err := s.ListCredentials(ctx, "alice"); err != nil || len(creds) != 0 {
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

// TestMigrateFromVersion2 opens a file with the version 2 schema: users'
// credentials get their owner's UserID, credentials of users that no
// longer exist are deleted, and names that differ only in case are
// refused from then on.
func TestMigrateFromVersion2(t *testing.T) {
	write := func(t *testing.T, extra ...string) string {
		path := filepath.Join(t.TempDir(), "trent.db")
		db, err := sql.Open("sqlite", dsn(path, nil))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		stmts := append(append(append([]string{}, migrations[0]...), migrations[1]...), `PRAGMA user_version = 2`,
			`INSERT INTO users VALUES ('alice', 'AIDAALICE', '/', 'arn:aws:iam::111122223333:user/alice', '2025-01-01T00:00:00Z', '{}', '[]')`,
			`INSERT INTO credentials VALUES ('AKIAALICE', 'arn:aws:iam::111122223333:user/alice', 'alice', x'00', 'Active', '2025-01-01T00:00:00Z')`,
			`INSERT INTO credentials VALUES ('AKIAGHOST', 'arn:aws:iam::111122223333:user/ghost', 'ghost', x'00', 'Active', '2025-01-01T00:00:00Z')`,
			`INSERT INTO credentials VALUES ('AKIAROOT', 'arn:aws:iam::111122223333:root', '', x'00', 'Active', '2025-01-01T00:00:00Z')`)
		for _, stmt := range append(stmts, extra...) {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		return path
	}

	t.Run("Credentials", func(t *testing.T) {
		s, err := Open(write(t))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ctx := t.Context()
		for _, tc := range []struct{ id, userID string }{{"AKIAALICE", "AIDAALICE"}, {"AKIAROOT", ""}} {
			if c, err := s.GetCredential(ctx, tc.id); err != nil || c.UserID != tc.userID {
				t.Errorf("GetCredential(%s) = %+v, %v; want UserID %q", tc.id, c, err, tc.userID)
			}
		}
		if _, err := s.GetCredential(ctx, "AKIAGHOST"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("credential of a user that does not exist: %v, want ErrNotFound", err)
		}
		if err := s.DeleteUser(ctx, "alice"); !errors.Is(err, store.ErrHasCredentials) {
			t.Errorf("DeleteUser of a user with a migrated credential: %v, want ErrHasCredentials", err)
		}
		if err := s.CreateUser(ctx, store.User{Name: "ALICE", UserID: "AIDAOTHER"}); !errors.Is(err, store.ErrExists) {
			t.Errorf("CreateUser(ALICE) after migration: %v, want ErrExists", err)
		}
	})

	t.Run("CaseDuplicates", func(t *testing.T) {
		path := write(t, `INSERT INTO users VALUES ('Alice', 'AIDAALICE2', '/', 'arn:aws:iam::111122223333:user/Alice', '2025-01-01T00:00:00Z', '{}', '[]')`)
		s, err := Open(path)
		if err == nil {
			s.Close()
			t.Fatal("Open migrated a store holding alice and Alice")
		}
		if !strings.Contains(err.Error(), "users.name") && !strings.Contains(err.Error(), "UNIQUE") {
			t.Errorf("Open: %v, want a uniqueness failure", err)
		}
	})
}
