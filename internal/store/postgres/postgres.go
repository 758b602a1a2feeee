// Package postgres is a [store.Store] on PostgreSQL, through pgx v5 and
// its connection pool (pgxpool). Several Trent nodes may share one
// database: every guarantee of the Store contract holds across them.
//
// # Schema
//
// The data model is the embedded backend's (package sqlite). Keys are a
// JSON document in a TEXT column (encoding/json of [store.Key]) next to the
// columns queries need: id, version and due_at, the unix nanoseconds of
// [store.Key.DueAt] (NULL when nothing is due), indexed for KeysDue.
// Aliases, credentials, users and grants have a column per field, except a
// user's policies and a grant's operations, issuing account and
// encryption-context constraints, which are JSON in TEXT columns. Aliases
// and grants reference their key with ON DELETE CASCADE; grants are indexed
// by retiring principal and credentials by user name. Identifier and name
// columns are COLLATE "C", so that ORDER BY is byte order whatever the
// database's locale. Timestamps outside JSON are RFC 3339 text with
// nanoseconds: exact for every year from 0 to 9999, where timestamptz keeps
// only microseconds. Text columns cannot hold NUL bytes or invalid UTF-8
// (PostgreSQL refuses them); the service validates every name it stores.
//
// Open applies the missing schema migrations, numbered in the one-row table
// trent_schema, in one transaction that first takes a transaction-level
// advisory lock (pg_advisory_xact_lock), so that nodes starting at once
// migrate one after the other; it refuses a schema newer than the code.
// The tables have plain names (keys, aliases, users, ...): give Trent a
// database of its own, or a schema of its own selected by search_path in
// the DSN.
//
// # Consistency
//
// Transactions run at the database's default isolation level (READ
// COMMITTED on PostgreSQL) and take the row locks they need:
// UpdateKey and UpdateUser read with SELECT ... FOR UPDATE, so concurrent
// updates of one row queue on its lock while updates of different rows run
// in parallel; CreateAlias, UpdateAlias and CreateGrant lock the target key
// with SELECT ... FOR KEY SHARE, so that a concurrent DeleteKey either
// deletes the new row with the key or makes the call fail with
// [store.ErrNotFound]. CreateCredential and DeleteUser lock the user's row
// with SELECT ... FOR UPDATE (CreateCredential for the account root locks
// a meta row of its own, "lock/root-credentials") and then count the
// owner's credentials: the per-owner limit, and "no credential for a user
// that does not exist", hold across nodes. CreateLoginProfile locks the
// user's row the same way. CreateKey for a key in a custom key store locks
// the store's row FOR KEY SHARE and DeleteCustomKeyStore locks it FOR
// UPDATE before looking for its keys, so no key outlives its store. User names are unique through a
// unique index on lower(name), which under COLLATE "C" folds ASCII only. Duplicates are detected with INSERT ... ON CONFLICT
// DO NOTHING and the count of inserted rows, never by parsing errors;
// InitMeta is such an insert followed by a SELECT, which at READ COMMITTED
// sees the row of whichever node won. Reads are single statements on any
// pooled connection; they see every write committed before they start.
//
// A transaction that fails with serialization_failure or deadlock_detected
// (SQLSTATE 40001, 40P01), which PostgreSQL rolls back, is run again, up to
// five times with a short randomised back-off; so is one whose connection
// is lost before COMMIT was sent. The function passed to UpdateKey or
// UpdateUser may therefore be called more than once; only the result of
// the last call is stored. Under SERIALIZABLE (CockroachDB's default) the
// same code is correct: conflicts surface as 40001 and are retried.
//
// # Durability
//
// A method returns only after COMMIT has returned, and PostgreSQL returns
// from COMMIT once the commit record is flushed to its write-ahead log (and
// to synchronous standbys, if configured). Open refuses a server where that
// is not so — fsync or synchronous_commit off — since the contract promises
// that an acknowledged write survives a crash; synchronous_commit can be
// set for Trent's sessions alone with "synchronous_commit=on" in the DSN.
// full_page_writes must stay on as well, which Open does not check.
//
// # Connection failures
//
// The pool reconnects by itself, and a Store never needs reopening: a
// connection idle for more than a second is pinged before use and replaced
// if dead, and new connections are made as needed. While the server is
// down every call fails. Once it is back, calls succeed again at once,
// except that a connection broken while idle for less than a second is
// only found out by using it: reads, and transactions that lose their
// connection before COMMIT is sent (the server has rolled them back), are
// then retried on another connection as above, but a single-statement write
// (CreateKey, CreateUser, PutCredential and the Delete methods) is retried
// only when nothing reached the server, since the server may have committed
// it; it fails, and the next call succeeds. So the first calls after a
// restart may fail, one per pooled connection at most. A write whose
// connection is lost during COMMIT fails with its outcome unknown, as the
// Store contract allows.
//
// # Portability
//
// The SQL is meant to run unchanged on PostgreSQL-compatible distributed
// databases (CockroachDB, YugabyteDB). Only PostgreSQL is tested; what
// follows about the others comes from their documentation and issue
// trackers.
//
// Portable: TEXT, BIGINT and BYTEA columns; foreign keys with ON DELETE
// CASCADE; INSERT ... ON CONFLICT DO NOTHING and DO UPDATE; row-value
// comparison for keyset paging; SELECT ... FOR UPDATE and FOR KEY SHARE
// (no-ops in older CockroachDB releases, where serializable isolation
// protects the same invariants through 40001 retries); retry on 40001. The
// store uses no LISTEN/NOTIFY, sequences, triggers, stored functions,
// temporary tables or session state, and no advisory lock outside
// migrations. pgx caches prepared statements per connection; behind a
// transaction-pooling proxy, set default_query_exec_mode=exec in the DSN.
//
// Not portable, and adapted at run time:
//
//   - COLLATE "C" columns: CockroachDB cannot create them, and needs none,
//     since it compares strings as bytes; Open drops the clause when
//     version() names CockroachDB. YugabyteDB supports them.
//   - pg_advisory_xact_lock: missing from CockroachDB until recent
//     releases (a no-op stub in some) and from YugabyteDB unless enabled.
//     Where calling it fails as unsupported (SQLSTATE 42883 or 0A000), Open
//     migrates without it: the migration still runs in one transaction that
//     locks the trent_schema row, and concurrent first migrations conflict
//     and are retried instead of queueing. Where it is a no-op stub,
//     CockroachDB's serializable transactions turn the same race into
//     retried conflicts.
//   - current_setting(name, missing_ok), used by the durability check: if
//     it is not implemented, the check is skipped.
//
// CockroachDB restricts schema changes inside transactions; the initial
// migration only creates new tables and their indexes, which it allows.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/trent-kms/trent/internal/store"
)

// Store is a store.Store on a PostgreSQL database. It is safe for
// concurrent use, by this process and others sharing the database.
type Store struct {
	pool *pgxpool.Pool
}

var (
	_ store.Store    = (*Store)(nil)
	_ store.IAMStore = (*Store)(nil)
)

// Open connects to the database named by dsn (a PostgreSQL URL or
// key=value connection string, with pgxpool's pool_* settings if wanted),
// checks that commits are durable and brings the schema up to date. The
// pool connects lazily; Open fails if the server cannot be reached.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.checkDurability(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return s, nil
}

// Close closes every connection of the pool, waiting for those in use to
// be released. Close is idempotent.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// checkDurability refuses a server that acknowledges commits before they
// are on disk. Settings a database does not have (CockroachDB has no
// fsync) read as empty and pass, and so do both where current_setting
// with missing_ok is not implemented.
func (s *Store) checkDurability(ctx context.Context) error {
	var fsync, syncCommit string
	err := s.read(ctx, func() error {
		return s.pool.QueryRow(ctx,
			`SELECT coalesce(current_setting('fsync', true), ''), coalesce(current_setting('synchronous_commit', true), '')`).
			Scan(&fsync, &syncCommit)
	})
	switch sqlState(err) {
	case "":
		if err != nil {
			return fmt.Errorf("read settings: %w", err)
		}
	case codeUndefinedFunction, codeFeatureNotSupported:
		return nil
	default:
		return fmt.Errorf("read settings: %w", err)
	}
	if strings.EqualFold(fsync, "off") {
		return errors.New("the server runs with fsync=off: acknowledged writes could be lost in a crash")
	}
	if strings.EqualFold(syncCommit, "off") {
		return errors.New("synchronous_commit is off: acknowledged writes could be lost in a crash " +
			"(add synchronous_commit=on to the DSN)")
	}
	return nil
}
