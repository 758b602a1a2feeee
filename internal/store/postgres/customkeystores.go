package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

var _ store.CustomKeyStoreStore = (*Store)(nil)

const customKeyStoreCols = `SELECT id, name, version, doc FROM custom_key_stores `

// keysOfCustomKeyStore selects the keys in the custom key store given as
// parameter, through the partial index on custom_key_store_id.
const keysOfCustomKeyStore = `SELECT EXISTS (SELECT 1 FROM keys WHERE custom_key_store_id = $1)`

// CreateCustomKeyStore implements store.CustomKeyStoreStore: it inserts c
// with version 1 and sets c.Version. ErrExists if the ID or the name is
// taken.
func (s *Store) CreateCustomKeyStore(ctx context.Context, c *store.CustomKeyStore) error {
	doc, err := codec.EncodeCustomKeyStore(c)
	if err != nil {
		return fmt.Errorf("postgres: create custom key store %s: %w", c.ID, err)
	}
	// No conflict target: a taken ID and a taken name are both ErrExists.
	err = inserted(s.exec(ctx,
		`INSERT INTO custom_key_stores (id, name, version, doc) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING`,
		c.ID, c.Name, doc))
	if err != nil {
		return fmt.Errorf("postgres: create custom key store %s: %w", c.ID, err)
	}
	c.Version = 1
	return nil
}

// GetCustomKeyStore implements store.CustomKeyStoreStore. ErrNotFound if
// absent.
func (s *Store) GetCustomKeyStore(ctx context.Context, id string) (*store.CustomKeyStore, error) {
	var c *store.CustomKeyStore
	err := s.read(ctx, func() error {
		var err error
		c, err = scanCustomKeyStore(s.pool.QueryRow(ctx, customKeyStoreCols+`WHERE id = $1`, id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: get custom key store %s: %w", id, err)
	}
	return c, nil
}

// ListCustomKeyStores implements store.CustomKeyStoreStore. A limit of
// zero or less returns nothing.
func (s *Store) ListCustomKeyStores(ctx context.Context, after string, limit int) ([]*store.CustomKeyStore, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []*store.CustomKeyStore
	err := s.read(ctx, func() error {
		rows, err := s.pool.Query(ctx, customKeyStoreCols+`WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.CustomKeyStore, error) { return scanCustomKeyStore(row) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list custom key stores: %w", err)
	}
	return out, nil
}

// UpdateCustomKeyStore implements store.CustomKeyStoreStore like
// UpdateKey: SELECT ... FOR UPDATE, fn and the write in one transaction.
// fn must not change the ID, and may be called more than once if the
// transaction is retried; its error is returned unchanged. A new name is
// checked before the write; a concurrent rename to the same name that
// commits in between makes the UPDATE violate the unique index on name,
// which is ErrExists too. ErrNotFound if absent.
func (s *Store) UpdateCustomKeyStore(ctx context.Context, id string, fn func(*store.CustomKeyStore) error) (*store.CustomKeyStore, error) {
	var out *store.CustomKeyStore
	var fnErr error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		fnErr = nil
		c, err := scanCustomKeyStore(tx.QueryRow(ctx, customKeyStoreCols+`WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		version := c.Version + 1
		if fnErr = fn(c); fnErr != nil {
			return stop(fnErr)
		}
		if c.ID != id {
			return stop(fmt.Errorf("fn changed the ID to %q", c.ID))
		}
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM custom_key_stores WHERE name = $1 AND id <> $2)`,
			c.Name, id).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return stop(store.ErrExists)
		}
		doc, err := codec.EncodeCustomKeyStore(c)
		if err != nil {
			return stop(err)
		}
		_, err = tx.Exec(ctx, `UPDATE custom_key_stores SET name = $1, version = $2, doc = $3 WHERE id = $4`,
			c.Name, version, doc, id)
		if sqlState(err) == codeUniqueViolation {
			// The primary key is unchanged: the name is what is taken.
			return stop(store.ErrExists)
		}
		if err != nil {
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
		return nil, fmt.Errorf("postgres: update custom key store %s: %w", id, err)
	}
	return out, nil
}

// DeleteCustomKeyStore implements store.CustomKeyStoreStore. It locks the
// store's row (SELECT ... FOR UPDATE, which waits for a CreateKey holding
// it FOR KEY SHARE), checks that no key names the store and deletes it, in
// one transaction: at READ COMMITTED the check, a statement run after the
// lock is granted, sees a key committed by a CreateKey that held the lock
// first, and a CreateKey that waited finds the store gone. ErrHasKeys if
// a key names it; ErrNotFound if absent.
func (s *Store) DeleteCustomKeyStore(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := noRows(tx.QueryRow(ctx, `SELECT 1 FROM custom_key_stores WHERE id = $1 FOR UPDATE`, id).Scan(&one)); err != nil {
			return err
		}
		var hasKeys bool
		if err := tx.QueryRow(ctx, keysOfCustomKeyStore, id).Scan(&hasKeys); err != nil {
			return err
		}
		if hasKeys {
			return stop(store.ErrHasKeys)
		}
		return affected(tx.Exec(ctx, `DELETE FROM custom_key_stores WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("postgres: delete custom key store %s: %w", id, err)
	}
	return nil
}

// lockCustomKeyStore locks the custom key store's row until the end of tx,
// so that DeleteCustomKeyStore waits for tx and then sees what it wrote:
// FOR KEY SHARE, or FOR UPDATE when exclusive, which also serialises the
// CreateKeys of the store (for the XksKeyID check). ErrNotFound if absent.
func lockCustomKeyStore(ctx context.Context, tx pgx.Tx, id string, exclusive bool) error {
	lock := "FOR KEY SHARE"
	if exclusive {
		lock = "FOR UPDATE"
	}
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM custom_key_stores WHERE id = $1 `+lock, id).Scan(&one)
	if err := noRows(err); err != nil {
		return fmt.Errorf("custom key store %s: %w", id, err)
	}
	return nil
}

// scanCustomKeyStore scans a row of customKeyStoreCols. ErrNotFound if
// there is none.
func scanCustomKeyStore(row pgx.Row) (*store.CustomKeyStore, error) {
	var id, name string
	var version int64
	var doc []byte
	if err := row.Scan(&id, &name, &version, &doc); err != nil {
		return nil, noRows(err)
	}
	return codec.DecodeCustomKeyStore(id, name, version, doc)
}
