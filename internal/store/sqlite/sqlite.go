// Package sqlite is Trent's embedded default [store.Store]: one SQLite
// database file, through the pure-Go driver modernc.org/sqlite.
//
// # Durability
//
// The database runs in WAL mode with synchronous=FULL, so every commit
// fsyncs the write-ahead log before the method that wrote returns: an
// acknowledged write survives kill -9 and power loss. The file, and the -wal
// and -shm files SQLite derives from it, are created with mode 0600.
//
// # Concurrency
//
// A Store holds two connection pools on the file. Writes go through a pool
// of exactly one connection and run in BEGIN IMMEDIATE transactions, so
// writers of this process queue in Go rather than in SQLite, and a writer in
// another process holding the file waits on busy_timeout instead of failing
// with SQLITE_BUSY. Reads use a separate pool of read-only connections; under
// WAL they see the last committed state and never wait for a writer.
//
// # Schema
//
// Keys are stored as a JSON document (encoding/json of [store.Key]) next to
// the columns queries need: id, version and due_at, the unix nanoseconds of
// [store.Key.DueAt] (NULL when nothing is due), indexed for KeysDue.
// Aliases, credentials, users and grants have a column per field, except a
// user's policies and a grant's operations, issuing account and
// encryption-context constraints, which are JSON. Grants reference their
// key with ON DELETE CASCADE and are indexed by retiring principal;
// credentials are indexed by user name and by the owner's user ID, and
// user names are unique through a unique index on lower(name) (SQLite's
// built-in lower() folds ASCII only). CreateCredential, CreateLoginProfile
// and DeleteUser check the owner and what it holds in their write
// transaction, which the single writer serialises with every other, in any
// process; so do CreateKey and DeleteCustomKeyStore for a key's custom key
// store (keys are indexed by json_extract of their customKeyStoreId). Timestamps outside JSON are RFC 3339
// text with nanoseconds. Text compares with the default BINARY collation,
// so ordering is byte order. The schema version is kept in PRAGMA user_version; Open applies the missing
// migrations and refuses a file written by a newer Trent.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/trent-kms/trent/internal/store"
)

// busyTimeoutMillis bounds how long a connection waits for a lock held by
// another connection (another process, or a checkpoint) before SQLITE_BUSY.
const busyTimeoutMillis = 10000

// Store is a store.Store on one SQLite file. It is safe for concurrent use.
type Store struct {
	w *sql.DB // exactly one connection: every write
	r *sql.DB // read-only connections

	closeOnce sync.Once
	closeErr  error
}

var (
	_ store.Store    = (*Store)(nil)
	_ store.IAMStore = (*Store)(nil)
)

// Open opens the database at path, creating it (mode 0600) if it does not
// exist, and brings its schema up to date. An existing file keeps its mode.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := createFile(abs); err != nil {
		return nil, fmt.Errorf("sqlite: create %s: %w", abs, err)
	}
	s := &Store{}
	s.w, err = sql.Open("sqlite", dsn(abs, url.Values{
		"_txlock": {"immediate"},
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis),
			"foreign_keys(1)",
			"journal_mode(WAL)",
			"synchronous(FULL)",
		},
	}))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)

	// The read pool is opened only once the writer has switched the file to
	// WAL (a persistent setting), so readers never run in rollback mode.
	if err := s.setup(); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	s.r, err = sql.Open("sqlite", dsn(abs, url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis),
			"query_only(1)",
		},
	}))
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	if err := s.r.Ping(); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	return s, nil
}

// dsn returns the driver's data source name for the file at abs: a SQLite
// URI, so that any byte in the path is escaped, with the driver's options.
func dsn(abs string, opts url.Values) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows volume: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: opts.Encode()}
	return u.String()
}

// createFile creates an empty file at path with mode 0600 unless one exists,
// and makes its directory entry durable. SQLite gives the -wal and -shm
// files it creates later the mode of the database file.
func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir fsyncs a directory, so that an entry just created in it survives
// power loss.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && runtime.GOOS != "windows" {
		return err
	}
	return nil
}

// setup checks that the writer connection has the settings durability and
// integrity depend on, then migrates the schema.
func (s *Store) setup() error {
	ctx := context.Background()
	for _, p := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
	} {
		var got string
		if err := s.w.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
			return fmt.Errorf("read PRAGMA %s: %w", p.pragma, err)
		}
		if got != p.want {
			return fmt.Errorf("PRAGMA %s is %q, want %q", p.pragma, got, p.want)
		}
	}
	return s.migrate(ctx)
}

// Close closes both connection pools. The last connection to close
// checkpoints the WAL into the database file. Close is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errR error
		if s.r != nil {
			errR = s.r.Close()
		}
		s.closeErr = errors.Join(errR, s.w.Close())
		if s.closeErr != nil {
			s.closeErr = fmt.Errorf("sqlite: close: %w", s.closeErr)
		}
	})
	return s.closeErr
}

// write runs fn in a write transaction (BEGIN IMMEDIATE on the single writer
// connection) and commits it if fn returns nil. fn's error is returned as is;
// callers add context to every error.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Rolls back when fn fails or panics, so that the one writer connection
	// is released; a no-op after Commit.
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// inserted interprets the result of INSERT ... ON CONFLICT DO NOTHING:
// ErrExists if no row was inserted.
func inserted(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return store.ErrExists
	}
	return nil
}

// affected interprets the result of an UPDATE or DELETE of one row by its
// primary key: ErrNotFound if there was no such row.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return store.ErrNotFound
	}
	return nil
}
