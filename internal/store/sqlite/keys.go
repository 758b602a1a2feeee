package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

// CreateKey implements store.Store: it inserts k with version 1 and sets
// k.Version. ErrExists if the ID is taken; ErrNotFound if k names a custom
// key store that does not exist, checked in the same write transaction,
// which SQLite's single writer serialises with DeleteCustomKeyStore.
func (s *Store) CreateKey(ctx context.Context, k *store.Key) error {
	doc, due, err := encodeKey(k)
	if err != nil {
		return fmt.Errorf("sqlite: create key %s: %w", k.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if k.CustomKeyStoreID != "" {
			var exists bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM custom_key_stores WHERE id = ?)`,
				k.CustomKeyStoreID).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("custom key store %s: %w", k.CustomKeyStoreID, store.ErrNotFound)
			}
			if err := xksKeyFree(ctx, tx, k); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx,
			`INSERT INTO keys (id, version, due_at, doc) VALUES (?, 1, ?, ?) ON CONFLICT (id) DO NOTHING`,
			k.ID, due, doc)
		return inserted(res, err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create key %s: %w", k.ID, err)
	}
	k.Version = 1
	return nil
}

// xksKeyFree refuses k if another key of its custom key store uses its
// XksKeyID. It runs in CreateKey's write transaction, which the embedded
// store serialises with every other write.
func xksKeyFree(ctx context.Context, tx *sql.Tx, k *store.Key) error {
	if k.XksKeyID == "" {
		return nil
	}
	var other string
	err := tx.QueryRowContext(ctx, `SELECT id FROM keys WHERE json_extract(doc, '$.customKeyStoreId') = ?
		AND json_extract(doc, '$.xksKeyId') = ? LIMIT 1`, k.CustomKeyStoreID, k.XksKeyID).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return &store.XksKeyInUseError{KeyID: other}
}

// GetKey implements store.Store. It reads from the read pool and never
// waits for a writer. ErrNotFound if absent.
func (s *Store) GetKey(ctx context.Context, id string) (*store.Key, error) {
	k, err := scanKey(s.r.QueryRowContext(ctx, `SELECT version, doc FROM keys WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get key %s: %w", id, err)
	}
	return k, nil
}

// UpdateKey implements store.Store. The read, fn and the write run in one
// write transaction on the single writer connection, so updates of the
// store are serialised. fn must not call the Store's write methods (that
// would deadlock); it may read. fn must not change the key's ID. An error
// from fn rolls back and is returned unchanged. ErrNotFound if absent.
func (s *Store) UpdateKey(ctx context.Context, id string, fn func(*store.Key) error) (*store.Key, error) {
	var out *store.Key
	var fnErr error
	err := s.write(ctx, func(tx *sql.Tx) error {
		k, err := scanKey(tx.QueryRowContext(ctx, `SELECT version, doc FROM keys WHERE id = ?`, id))
		if err != nil {
			return err
		}
		version := k.Version + 1
		if fnErr = fn(k); fnErr != nil {
			return fnErr
		}
		if k.ID != id {
			return fmt.Errorf("fn changed the ID to %q", k.ID)
		}
		doc, due, err := encodeKey(k)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE keys SET version = ?, due_at = ?, doc = ? WHERE id = ?`,
			version, due, doc, id); err != nil {
			return err
		}
		// Decode what was written: the caller gets the stored state, and
		// nothing fn may still hold a reference to.
		out, err = codec.DecodeKey([]byte(doc), version)
		return err
	})
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, fmt.Errorf("sqlite: update key %s: %w", id, err)
	}
	return out, nil
}

// DeleteKey implements store.Store: it deletes the key, its aliases and its
// grants in one transaction. ErrNotFound if absent.
func (s *Store) DeleteKey(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		// ON DELETE CASCADE does the same; deleting explicitly keeps the
		// contract independent of the foreign_keys setting.
		for _, q := range []string{`DELETE FROM aliases WHERE key_id = ?`, `DELETE FROM grants WHERE key_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return affected(tx.ExecContext(ctx, `DELETE FROM keys WHERE id = ?`, id))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete key %s: %w", id, err)
	}
	return nil
}

// ListKeys implements store.Store. A limit of zero or less returns no keys.
func (s *Store) ListKeys(ctx context.Context, after string, limit int) ([]*store.Key, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT version, doc FROM keys WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	defer rows.Close()
	var keys []*store.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list keys: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	return keys, nil
}

// KeysDue implements store.Store, using the index on due_at. A limit of
// zero or less returns no IDs.
//
// due_at is written with every key (store.Key.DueAt), so one indexed range
// covers every kind of due work, automatic rotation included; no query of
// the key document is needed.
func (s *Store) KeysDue(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx,
		`SELECT id FROM keys WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?`,
		codec.UnixNanos(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: keys due: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: keys due: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: keys due: %w", err)
	}
	return ids, nil
}

// scanKey scans a (version, doc) row. ErrNotFound if there is none.
func scanKey(row interface{ Scan(...any) error }) (*store.Key, error) {
	var version int64
	var doc []byte
	if err := row.Scan(&version, &doc); errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	return codec.DecodeKey(doc, version)
}

// encodeKey returns the JSON document stored for k and the due_at column:
// k.DueAt() in unix nanoseconds, NULL if zero.
func encodeKey(k *store.Key) (doc string, due sql.NullInt64, err error) {
	doc, err = codec.EncodeKey(k)
	if err != nil {
		return "", due, err
	}
	due.Int64, due.Valid = codec.DueNanos(k)
	return doc, due, nil
}
