package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migrations[i] brings the schema from version i to version i+1. Append
// only: never edit a migration that has shipped.
//
// Identifier columns are COLLATE "C" so that ordering is byte order; due_at
// is BIGINT unix nanoseconds so that it orders and compares; other
// timestamps are RFC 3339 text with nanoseconds, and JSON is kept as TEXT.
var migrations = [][]string{
	// 1: keys, aliases, credentials, meta, users and grants.
	{
		`CREATE TABLE keys (
			id      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
			version BIGINT NOT NULL,
			due_at  BIGINT,
			doc     TEXT NOT NULL
		)`,
		`CREATE INDEX keys_due_at ON keys (due_at, id)`,
		`CREATE TABLE aliases (
			name       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
			key_id     TEXT COLLATE "C" NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
			created_at TEXT NOT NULL,
			updated_at TEXT NOT NULL
		)`,
		`CREATE INDEX aliases_key_id ON aliases (key_id, name)`,
		`CREATE TABLE credentials (
			access_key_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
			principal_arn TEXT NOT NULL,
			user_name     TEXT COLLATE "C" NOT NULL,
			sealed_secret BYTEA NOT NULL,
			status        TEXT NOT NULL,
			created_at    TEXT NOT NULL
		)`,
		`CREATE INDEX credentials_user_name ON credentials (user_name, access_key_id)`,
		`CREATE TABLE meta (
			name  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
			value BYTEA NOT NULL
		)`,
		`CREATE TABLE users (
			name              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
			user_id           TEXT COLLATE "C" NOT NULL UNIQUE,
			path              TEXT NOT NULL,
			arn               TEXT NOT NULL,
			created_at        TEXT NOT NULL,
			inline_policies   TEXT NOT NULL, -- JSON object: policy name to document
			attached_policies TEXT NOT NULL  -- JSON array of policy ARNs
		)`,
		`CREATE TABLE grants (
			key_id             TEXT COLLATE "C" NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
			grant_id           TEXT COLLATE "C" NOT NULL,
			name               TEXT NOT NULL,
			grantee_principal  TEXT NOT NULL,
			retiring_principal TEXT COLLATE "C" NOT NULL,
			created_at         TEXT NOT NULL,
			doc                TEXT NOT NULL, -- JSON: issuing account, operations, constraints
			PRIMARY KEY (key_id, grant_id)
		)`,
		`CREATE INDEX grants_retiring_principal ON grants (retiring_principal, key_id, grant_id)`,
	},
	// 2: IAM invariants the store enforces (store.IAMStore): user names
	// unique regardless of ASCII case (lower() under COLLATE "C" folds
	// ASCII only), and credentials owned by UserID. Credentials of users
	// that no longer exist cannot authenticate, and would be inherited by a
	// user created again under the name: they are deleted. A database
	// holding two users whose names differ only in case (the race this
	// version closes) fails to migrate, naming the index; delete one of
	// them with the previous version first.
	{
		`ALTER TABLE credentials ADD COLUMN user_id TEXT COLLATE "C" NOT NULL DEFAULT ''`,
		`UPDATE credentials SET user_id = u.user_id FROM users u
		 WHERE u.name = credentials.user_name AND credentials.user_name <> ''`,
		`DELETE FROM credentials WHERE user_name <> '' AND user_id = ''`,
		`CREATE INDEX credentials_user_id ON credentials (user_id)`,
		`CREATE UNIQUE INDEX users_name_lower ON users (lower(name))`,
	},
	// 3: key rotation. A key document may now hold a rotation schedule
	// (store.Key.RotationPeriodInDays, NextRotation) and rotated materials,
	// and due_at includes the next automatic rotation. No statement is
	// needed: no key written before had a schedule, so every due_at is
	// still right. The version itself is the point: a program of version 2
	// would decode these documents without the schedule and write them
	// back without it, silently ending automatic rotation, so it must
	// refuse this store ("schema version 3 is newer").
	{},
	// 4: each key's last successful cryptographic use (GetKeyLastUsage).
	// at_ns is unix nanoseconds, so that the later usage wins in SQL.
	{
		`CREATE TABLE key_usage (
			key_id     TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES keys (id) ON DELETE CASCADE,
			operation  TEXT   NOT NULL,
			at_ns      BIGINT NOT NULL,
			request_id TEXT   NOT NULL,
			event_id   TEXT   NOT NULL
		)`,
	},
	// 5: login profiles (console passwords) and custom key stores. A login
	// profile is keyed by its owner's user_id ('' for the account root)
	// and found by name regardless of ASCII case, like a user. A custom key
	// store is a JSON document next to its id, unique name and version.
	// A key's custom key store (store.Key.CustomKeyStoreID, also in its
	// document) gets a column of its own, indexed, so that
	// DeleteCustomKeyStore finds its keys: SQLite indexes json_extract of
	// the document instead, but here doc::json and doc::jsonb fail on any
	// document holding an escaped NUL (SQLSTATE 22P05), which keys may.
	// No key written before had a custom key store: NULL is right for all.
	{
		`CREATE TABLE login_profiles (
			user_id                 TEXT COLLATE "C" NOT NULL PRIMARY KEY,
			user_name               TEXT COLLATE "C" NOT NULL,
			password_hash           TEXT    NOT NULL,
			password_reset_required BOOLEAN NOT NULL,
			created_at              TEXT    NOT NULL,
			password_changed_at     TEXT    NOT NULL,
			password_last_used      TEXT    NOT NULL
		)`,
		`CREATE UNIQUE INDEX login_profiles_name_lower ON login_profiles (lower(user_name))`,
		`CREATE TABLE custom_key_stores (
			id      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
			name    TEXT COLLATE "C" NOT NULL UNIQUE,
			version BIGINT NOT NULL,
			doc     TEXT   NOT NULL
		)`,
		`ALTER TABLE keys ADD COLUMN custom_key_store_id TEXT COLLATE "C"`,
		`CREATE INDEX keys_custom_key_store ON keys (custom_key_store_id) WHERE custom_key_store_id IS NOT NULL`,
	},
}

// schemaVersion is the version this code reads and writes.
var schemaVersion = len(migrations)

// migrationLockID is the key of the advisory lock that serialises
// migrations: "trent" in ASCII. The lock is per database.
const migrationLockID int64 = 0x7472656e74

// lockStatement takes the migration lock. Tests replace it with a call of
// a function that does not exist, as on a database without advisory locks.
var lockStatement = `SELECT pg_advisory_xact_lock($1)`

// migrate brings the schema up to date. It runs in one transaction, which
// first takes the migration lock where the database has advisory locks, and
// otherwise relies on the row lock on trent_schema and on retries (see the
// package documentation). Losing a race to create trent_schema surfaces as
// a unique or duplicate-object violation, retried like a serialization
// failure.
func (s *Store) migrate(ctx context.Context) error {
	var version string
	if err := s.read(ctx, func() error { return s.pool.QueryRow(ctx, `SELECT version()`).Scan(&version) }); err != nil {
		return fmt.Errorf("read server version: %w", err)
	}
	adapt := func(stmt string) string { return stmt }
	if strings.Contains(version, "CockroachDB") {
		// CockroachDB cannot create COLLATE "C" columns, and needs none:
		// its strings always compare as bytes.
		adapt = func(stmt string) string { return strings.ReplaceAll(stmt, ` COLLATE "C"`, "") }
	}
	lock := true
	var err error
	for attempt := 1; attempt <= 2*maxAttempts; attempt++ {
		err = s.inTx(ctx, func(tx pgx.Tx) error { return migrateTx(ctx, tx, lock, adapt) })
		switch code := sqlState(err); {
		case err == nil:
			return nil
		case lock && (code == codeUndefinedFunction || code == codeFeatureNotSupported):
			lock = false // no advisory locks here: migrate without
		case code == codeUniqueViolation || code == codeDuplicateTable || code == codeDuplicateObject:
			// A concurrent first migration won; the next attempt sees it.
		default:
			return err
		}
	}
	return err
}

func migrateTx(ctx context.Context, tx pgx.Tx, lock bool, adapt func(string) string) error {
	if lock {
		if _, err := tx.Exec(ctx, lockStatement, migrationLockID); err != nil {
			return fmt.Errorf("take the migration lock: %w", err)
		}
	}
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS trent_schema (
			id      INT NOT NULL PRIMARY KEY CHECK (id = 1),
			version INT NOT NULL
		)`,
		`INSERT INTO trent_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("create the schema version table: %w", err)
		}
	}
	var from int
	if err := tx.QueryRow(ctx, `SELECT version FROM trent_schema WHERE id = 1 FOR UPDATE`).Scan(&from); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case from > schemaVersion:
		return stop(fmt.Errorf("schema version %d is newer than this program's %d", from, schemaVersion))
	case from == schemaVersion:
		return nil
	}
	for v := from; v < schemaVersion; v++ {
		for _, stmt := range migrations[v] {
			if _, err := tx.Exec(ctx, adapt(stmt)); err != nil {
				return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
			}
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE trent_schema SET version = $1 WHERE id = 1`, schemaVersion); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	return nil
}
