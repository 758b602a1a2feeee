package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

// CreateKey implements store.Store: it inserts k with version 1 and sets
// k.Version. ErrExists if the ID is taken. A key that names a custom key
// store is inserted in a transaction that first locks the store's row FOR
// KEY SHARE (ErrNotFound if it does not exist), so that a concurrent
// DeleteCustomKeyStore either sees the key or deletes the store first.
func (s *Store) CreateKey(ctx context.Context, k *store.Key) error {
	doc, due, err := encodeKey(k)
	if err != nil {
		return fmt.Errorf("postgres: create key %s: %w", k.ID, err)
	}
	const insert = `INSERT INTO keys (id, version, due_at, doc, custom_key_store_id) VALUES ($1, 1, $2, $3, $4)
		ON CONFLICT (id) DO NOTHING`
	cks := customKeyStoreColumn(k)
	if cks == nil {
		err = inserted(s.exec(ctx, insert, k.ID, due, doc, cks))
	} else {
		err = s.inTx(ctx, func(tx pgx.Tx) error {
			if err := lockCustomKeyStore(ctx, tx, k.CustomKeyStoreID, k.XksKeyID != ""); err != nil {
				return err
			}
			if err := xksKeyFree(ctx, tx, k); err != nil {
				return err
			}
			return inserted(tx.Exec(ctx, insert, k.ID, due, doc, cks))
		})
	}
	if err != nil {
		return fmt.Errorf("postgres: create key %s: %w", k.ID, err)
	}
	k.Version = 1
	return nil
}

// xksKeyFree refuses k if another key of its custom key store uses its
// XksKeyID. It runs in CreateKey's transaction after the store's row is
// locked FOR UPDATE, so CreateKeys naming one external key store are
// serialised. The documents are decoded here rather than read as jsonb,
// which refuses documents holding an escaped NUL.
func xksKeyFree(ctx context.Context, tx pgx.Tx, k *store.Key) error {
	if k.XksKeyID == "" {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT id, version, doc FROM keys WHERE custom_key_store_id = $1`, k.CustomKeyStoreID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var version int64
		var doc []byte
		if err := rows.Scan(&id, &version, &doc); err != nil {
			return err
		}
		other, err := codec.DecodeKey(doc, version)
		if err != nil {
			return err
		}
		if other.XksKeyID == k.XksKeyID {
			return &store.XksKeyInUseError{KeyID: id}
		}
	}
	return rows.Err()
}

// GetKey implements store.Store. ErrNotFound if absent.
func (s *Store) GetKey(ctx context.Context, id string) (*store.Key, error) {
	var k *store.Key
	err := s.read(ctx, func() error {
		var err error
		k, err = scanKey(s.pool.QueryRow(ctx, `SELECT version, doc FROM keys WHERE id = $1`, id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: get key %s: %w", id, err)
	}
	return k, nil
}

// UpdateKey implements store.Store. The read (SELECT ... FOR UPDATE), fn
// and the write run in one transaction holding the key's row lock, so
// updates of one key are serialised and updates of different keys run in
// parallel. fn must not call the Store and must not change the key's ID; it
// may be called more than once if the transaction is retried. An error from
// fn rolls back and is returned unchanged. ErrNotFound if absent.
func (s *Store) UpdateKey(ctx context.Context, id string, fn func(*store.Key) error) (*store.Key, error) {
	var out *store.Key
	var fnErr error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		fnErr = nil
		k, err := scanKey(tx.QueryRow(ctx, `SELECT version, doc FROM keys WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		version := k.Version + 1
		if fnErr = fn(k); fnErr != nil {
			return stop(fnErr)
		}
		if k.ID != id {
			return stop(fmt.Errorf("fn changed the ID to %q", k.ID))
		}
		doc, due, err := encodeKey(k)
		if err != nil {
			return stop(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE keys SET version = $1, due_at = $2, doc = $3, custom_key_store_id = $4 WHERE id = $5`,
			version, due, doc, customKeyStoreColumn(k), id); err != nil {
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
		return nil, fmt.Errorf("postgres: update key %s: %w", id, err)
	}
	return out, nil
}

// DeleteKey implements store.Store: one DELETE, whose ON DELETE CASCADE
// deletes the key's aliases and grants in the same statement. ErrNotFound
// if absent.
func (s *Store) DeleteKey(ctx context.Context, id string) error {
	if err := affected(s.exec(ctx, `DELETE FROM keys WHERE id = $1`, id)); err != nil {
		return fmt.Errorf("postgres: delete key %s: %w", id, err)
	}
	return nil
}

// ListKeys implements store.Store. A limit of zero or less returns no keys.
func (s *Store) ListKeys(ctx context.Context, after string, limit int) ([]*store.Key, error) {
	if limit <= 0 {
		return nil, nil
	}
	var keys []*store.Key
	err := s.read(ctx, func() error {
		rows, err := s.pool.Query(ctx, `SELECT version, doc FROM keys WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
		if err != nil {
			return err
		}
		keys, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Key, error) { return scanKey(row) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list keys: %w", err)
	}
	return keys, nil
}

// KeysDue implements store.Store, using the index on (due_at, id). A limit
// of zero or less returns no IDs.
//
// due_at is written with every key (store.Key.DueAt), so one indexed range
// covers every kind of due work, automatic rotation included; no query of
// the key document is needed.
func (s *Store) KeysDue(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	var ids []string
	err := s.read(ctx, func() error {
		rows, err := s.pool.Query(ctx, `SELECT id FROM keys WHERE due_at <= $1 ORDER BY due_at, id LIMIT $2`,
			codec.UnixNanos(now), limit)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: keys due: %w", err)
	}
	return ids, nil
}

// scanKey scans a (version, doc) row. ErrNotFound if there is none.
func scanKey(row pgx.Row) (*store.Key, error) {
	var version int64
	var doc []byte
	if err := row.Scan(&version, &doc); err != nil {
		return nil, noRows(err)
	}
	return codec.DecodeKey(doc, version)
}

// encodeKey returns the JSON document stored for k and the due_at column:
// k.DueAt() in unix nanoseconds, nil (NULL) if zero.
func encodeKey(k *store.Key) (doc string, due *int64, err error) {
	doc, err = codec.EncodeKey(k)
	if err != nil {
		return "", nil, err
	}
	if n, ok := codec.DueNanos(k); ok {
		due = &n
	}
	return doc, due, nil
}

// customKeyStoreColumn returns the custom_key_store_id column of k: its
// CustomKeyStoreID, nil (NULL) if none.
func customKeyStoreColumn(k *store.Key) *string {
	if k.CustomKeyStoreID == "" {
		return nil
	}
	return &k.CustomKeyStoreID
}
