package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations[i] brings the schema from version i to version i+1. The schema
// version is PRAGMA user_version, which SQLite updates inside the migrating
// transaction. Append only: never edit a migration that has shipped.
//
// Column types are kept close to portable SQL. Timestamps outside the JSON
// document are RFC 3339 text with nanoseconds (exact for every year); due_at
// is an integer so that it orders and compares.
var migrations = [][]string{
	// 1: initial schema.
	{
		`CREATE TABLE keys (
			id      TEXT    NOT NULL PRIMARY KEY,
			version INTEGER NOT NULL,
			due_at  INTEGER,
			doc     TEXT    NOT NULL
		)`,
		`CREATE INDEX keys_due_at ON keys (due_at, id)`,
		`CREATE TABLE aliases (
			name       TEXT NOT NULL PRIMARY KEY,
			key_id     TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
			created_at TEXT NOT NULL,
			updated_at TEXT NOT NULL
		)`,
		`CREATE INDEX aliases_key_id ON aliases (key_id, name)`,
		`CREATE TABLE credentials (
			access_key_id TEXT NOT NULL PRIMARY KEY,
			principal_arn TEXT NOT NULL,
			user_name     TEXT NOT NULL,
			sealed_secret BLOB NOT NULL,
			status        TEXT NOT NULL,
			created_at    TEXT NOT NULL
		)`,
		`CREATE TABLE meta (
			name  TEXT NOT NULL PRIMARY KEY,
			value BLOB NOT NULL
		)`,
	},
	// 2: IAM users and KMS grants; credentials by user.
	{
		`CREATE TABLE users (
			name              TEXT NOT NULL PRIMARY KEY,
			user_id           TEXT NOT NULL UNIQUE,
			path              TEXT NOT NULL,
			arn               TEXT NOT NULL,
			created_at        TEXT NOT NULL,
			inline_policies   TEXT NOT NULL, -- JSON object: policy name to document
			attached_policies TEXT NOT NULL  -- JSON array of policy ARNs
		)`,
		`CREATE TABLE grants (
			key_id             TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
			grant_id           TEXT NOT NULL,
			name               TEXT NOT NULL,
			grantee_principal  TEXT NOT NULL,
			retiring_principal TEXT NOT NULL,
			created_at         TEXT NOT NULL,
			doc                TEXT NOT NULL, -- JSON: issuing account, operations, constraints
			PRIMARY KEY (key_id, grant_id)
		)`,
		`CREATE INDEX grants_retiring_principal ON grants (retiring_principal, key_id, grant_id)`,
		`CREATE INDEX credentials_user_name ON credentials (user_name, access_key_id)`,
	},
	// 3: IAM invariants the store enforces (store.IAMStore): user names
	// unique regardless of ASCII case, and credentials owned by UserID.
	// Credentials of users that no longer exist cannot authenticate, and
	// would be inherited by a user created again under the name: they are
	// deleted. A store holding two users whose names differ only in case
	// (the race this version closes) fails to migrate, naming the index;
	// delete one of them with the previous version first.
	{
		`ALTER TABLE credentials ADD COLUMN user_id TEXT NOT NULL DEFAULT ''`,
		`UPDATE credentials SET user_id = COALESCE((SELECT u.user_id FROM users u WHERE u.name = credentials.user_name), '')
		 WHERE user_name <> ''`,
		`DELETE FROM credentials WHERE user_name <> '' AND user_id = ''`,
		`CREATE INDEX credentials_user_id ON credentials (user_id)`,
		`CREATE UNIQUE INDEX users_name_lower ON users (lower(name))`,
	},
	// 4: key rotation. A key document may now hold a rotation schedule
	// (store.Key.RotationPeriodInDays, NextRotation) and rotated materials,
	// and due_at includes the next automatic rotation. No statement is
	// needed: no key written before had a schedule, so every due_at is
	// still right. The version itself is the point: a program of version 3
	// would decode these documents without the schedule and write them
	// back without it, silently ending automatic rotation, so it must
	// refuse this store ("schema version 4 is newer").
	{},
	// 5: each key's last successful cryptographic use (GetKeyLastUsage).
	// at_ns is unix nanoseconds, so that the later usage wins in SQL.
	{
		`CREATE TABLE key_usage (
			key_id     TEXT    NOT NULL PRIMARY KEY REFERENCES keys (id) ON DELETE CASCADE,
			operation  TEXT    NOT NULL,
			at_ns      INTEGER NOT NULL,
			request_id TEXT    NOT NULL,
			event_id   TEXT    NOT NULL
		)`,
	},
	// 6: login profiles (console passwords) and custom key stores. A login
	// profile is keyed by its owner's user_id ('' for the account root)
	// and found by name regardless of ASCII case, like a user. A custom key
	// store is a JSON document next to its id, unique name and version;
	// keys name theirs in their document (customKeyStoreId), indexed so
	// that DeleteCustomKeyStore finds them without a scan.
	{
		`CREATE TABLE login_profiles (
			user_id                 TEXT    NOT NULL PRIMARY KEY,
			user_name               TEXT    NOT NULL,
			password_hash           TEXT    NOT NULL,
			password_reset_required INTEGER NOT NULL,
			created_at              TEXT    NOT NULL,
			password_changed_at     TEXT    NOT NULL,
			password_last_used      TEXT    NOT NULL
		)`,
		`CREATE UNIQUE INDEX login_profiles_name_lower ON login_profiles (lower(user_name))`,
		`CREATE TABLE custom_key_stores (
			id      TEXT    NOT NULL PRIMARY KEY,
			name    TEXT    NOT NULL UNIQUE,
			version INTEGER NOT NULL,
			doc     TEXT    NOT NULL
		)`,
		`CREATE INDEX keys_custom_key_store ON keys (json_extract(doc, '$.customKeyStoreId'))
		 WHERE json_extract(doc, '$.customKeyStoreId') IS NOT NULL`,
	},
}

// schemaVersion is the version this code reads and writes.
var schemaVersion = len(migrations)

// migrate applies the missing migrations in one write transaction, so that a
// concurrent Open in another process waits and then finds nothing to do. It
// refuses a database whose schema is newer than this code.
func (s *Store) migrate(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var from int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&from); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		switch {
		case from > schemaVersion:
			return fmt.Errorf("schema version %d is newer than this program's %d", from, schemaVersion)
		case from == schemaVersion:
			return nil
		}
		for v := from; v < schemaVersion; v++ {
			for _, stmt := range migrations[v] {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
				}
			}
		}
		// PRAGMA takes no parameters; the version is an int.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
			return fmt.Errorf("set schema version: %w", err)
		}
		return nil
	})
}
