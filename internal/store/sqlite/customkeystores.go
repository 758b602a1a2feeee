package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

var _ store.CustomKeyStoreStore = (*Store)(nil)

const customKeyStoreCols = `SELECT id, name, version, doc FROM custom_key_stores `

// keysOfCustomKeyStore selects the keys whose document names the custom
// key store given as parameter, through the partial index on the
// expression.
const keysOfCustomKeyStore = `SELECT EXISTS (SELECT 1 FROM keys WHERE json_extract(doc, '$.customKeyStoreId') = ?)`

// CreateCustomKeyStore implements store.CustomKeyStoreStore: it inserts c
// with version 1 and sets c.Version. ErrExists if the ID or the name is
// taken.
func (s *Store) CreateCustomKeyStore(ctx context.Context, c *store.CustomKeyStore) error {
	doc, err := codec.EncodeCustomKeyStore(c)
	if err != nil {
		return fmt.Errorf("sqlite: create custom key store %s: %w", c.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		// No conflict target: a taken ID and a taken name are both
		// ErrExists.
		return inserted(tx.ExecContext(ctx,
			`INSERT INTO custom_key_stores (id, name, version, doc) VALUES (?, ?, 1, ?) ON CONFLICT DO NOTHING`,
			c.ID, c.Name, doc))
	})
	if err != nil {
		return fmt.Errorf("sqlite: create custom key store %s: %w", c.ID, err)
	}
	c.Version = 1
	return nil
}

// GetCustomKeyStore implements store.CustomKeyStoreStore. ErrNotFound if
// absent.
func (s *Store) GetCustomKeyStore(ctx context.Context, id string) (*store.CustomKeyStore, error) {
	c, err := scanCustomKeyStore(s.r.QueryRowContext(ctx, customKeyStoreCols+`WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get custom key store %s: %w", id, err)
	}
	return c, nil
}

// ListCustomKeyStores implements store.CustomKeyStoreStore. A limit of
// zero or less returns nothing.
func (s *Store) ListCustomKeyStores(ctx context.Context, after string, limit int) ([]*store.CustomKeyStore, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, customKeyStoreCols+`WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list custom key stores: %w", err)
	}
	defer rows.Close()
	var out []*store.CustomKeyStore
	for rows.Next() {
		c, err := scanCustomKeyStore(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list custom key stores: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list custom key stores: %w", err)
	}
	return out, nil
}

// UpdateCustomKeyStore implements store.CustomKeyStoreStore: the read, fn,
// the check that a new name is free and the write run in one write
// transaction, like UpdateKey. fn must not change the ID; its error is
// returned unchanged. ErrExists if fn renamed the store to a taken name;
// ErrNotFound if absent.
func (s *Store) UpdateCustomKeyStore(ctx context.Context, id string, fn func(*store.CustomKeyStore) error) (*store.CustomKeyStore, error) {
	var out *store.CustomKeyStore
	var fnErr error
	err := s.write(ctx, func(tx *sql.Tx) error {
		c, err := scanCustomKeyStore(tx.QueryRowContext(ctx, customKeyStoreCols+`WHERE id = ?`, id))
		if err != nil {
			return err
		}
		version := c.Version + 1
		if fnErr = fn(c); fnErr != nil {
			return fnErr
		}
		if c.ID != id {
			return fmt.Errorf("fn changed the ID to %q", c.ID)
		}
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM custom_key_stores WHERE name = ? AND id <> ?)`,
			c.Name, id).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return store.ErrExists
		}
		doc, err := codec.EncodeCustomKeyStore(c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE custom_key_stores SET name = ?, version = ?, doc = ? WHERE id = ?`,
			c.Name, version, doc, id); err != nil {
			return err
		}
		// Decode what was written: the caller gets the stored state, and
		// nothing fn may still hold a reference to.
		out, err = codec.DecodeCustomKeyStore(id, c.Name, version, []byte(doc))
		return err
	})
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, fmt.Errorf("sqlite: update custom key store %s: %w", id, err)
	}
	return out, nil
}

// DeleteCustomKeyStore implements store.CustomKeyStoreStore: the check
// that no key names the store and the delete run in one write
// transaction, which SQLite's single writer serialises with every
// CreateKey. ErrHasKeys if a key names it; ErrNotFound if absent.
func (s *Store) DeleteCustomKeyStore(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM custom_key_stores WHERE id = ?)`, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return store.ErrNotFound
		}
		var hasKeys bool
		if err := tx.QueryRowContext(ctx, keysOfCustomKeyStore, id).Scan(&hasKeys); err != nil {
			return err
		}
		if hasKeys {
			return store.ErrHasKeys
		}
		return affected(tx.ExecContext(ctx, `DELETE FROM custom_key_stores WHERE id = ?`, id))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete custom key store %s: %w", id, err)
	}
	return nil
}

// scanCustomKeyStore scans a row of customKeyStoreCols. ErrNotFound if
// there is none.
func scanCustomKeyStore(row interface{ Scan(...any) error }) (*store.CustomKeyStore, error) {
	var id, name string
	var version int64
	var doc []byte
	if err := row.Scan(&id, &name, &version, &doc); errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	return codec.DecodeCustomKeyStore(id, name, version, doc)
}
