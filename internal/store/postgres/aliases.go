package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

const aliasCols = `SELECT name, key_id, created_at, updated_at FROM aliases `

// CreateAlias implements store.Store. ErrExists if the name is taken;
// ErrNotFound if the target key does not exist.
func (s *Store) CreateAlias(ctx context.Context, a store.Alias) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockKey(ctx, tx, a.KeyID); err != nil {
			return err
		}
		return inserted(tx.Exec(ctx,
			`INSERT INTO aliases (name, key_id, created_at, updated_at) VALUES ($1, $2, $3, $4)
			 ON CONFLICT (name) DO NOTHING`,
			a.Name, a.KeyID, codec.FormatTime(a.CreatedAt), codec.FormatTime(a.UpdatedAt)))
	})
	if err != nil {
		return fmt.Errorf("postgres: create alias %s: %w", a.Name, err)
	}
	return nil
}

// GetAlias implements store.Store. ErrNotFound if absent.
func (s *Store) GetAlias(ctx context.Context, name string) (store.Alias, error) {
	var a store.Alias
	err := s.read(ctx, func() error {
		var err error
		a, err = scanAlias(s.pool.QueryRow(ctx, aliasCols+`WHERE name = $1`, name))
		return err
	})
	if err != nil {
		return store.Alias{}, fmt.Errorf("postgres: get alias %s: %w", name, err)
	}
	return a, nil
}

// UpdateAlias implements store.Store. ErrNotFound if the alias or the key
// is absent.
func (s *Store) UpdateAlias(ctx context.Context, name, keyID string, now time.Time) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockKey(ctx, tx, keyID); err != nil {
			return err
		}
		return affected(tx.Exec(ctx, `UPDATE aliases SET key_id = $1, updated_at = $2 WHERE name = $3`,
			keyID, codec.FormatTime(now), name))
	})
	if err != nil {
		return fmt.Errorf("postgres: update alias %s: %w", name, err)
	}
	return nil
}

// DeleteAlias implements store.Store. ErrNotFound if absent.
func (s *Store) DeleteAlias(ctx context.Context, name string) error {
	if err := affected(s.exec(ctx, `DELETE FROM aliases WHERE name = $1`, name)); err != nil {
		return fmt.Errorf("postgres: delete alias %s: %w", name, err)
	}
	return nil
}

// ListAliases implements store.Store. A limit of zero or less returns no
// aliases.
func (s *Store) ListAliases(ctx context.Context, keyID, after string, limit int) ([]store.Alias, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []store.Alias
	err := s.read(ctx, func() error {
		var rows pgx.Rows
		var err error
		if keyID == "" {
			rows, err = s.pool.Query(ctx, aliasCols+`WHERE name > $1 ORDER BY name LIMIT $2`, after, limit)
		} else {
			rows, err = s.pool.Query(ctx, aliasCols+`WHERE key_id = $1 AND name > $2 ORDER BY name LIMIT $3`,
				keyID, after, limit)
		}
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Alias, error) { return scanAlias(row) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list aliases: %w", err)
	}
	return out, nil
}

// lockKey takes a FOR KEY SHARE lock on key id until the end of tx, so that
// the key cannot be deleted before tx commits a row that references it: a
// concurrent DeleteKey waits, then deletes that row too. It returns an
// error wrapping ErrNotFound unless the key exists.
func lockKey(ctx context.Context, tx pgx.Tx, id string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM keys WHERE id = $1 FOR KEY SHARE`, id).Scan(&one)
	if err := noRows(err); err != nil {
		return fmt.Errorf("key %s: %w", id, err)
	}
	return nil
}

func scanAlias(row pgx.Row) (store.Alias, error) {
	var a store.Alias
	var created, updated string
	if err := row.Scan(&a.Name, &a.KeyID, &created, &updated); err != nil {
		return store.Alias{}, noRows(err)
	}
	var err error
	if a.CreatedAt, err = codec.ParseTime(created); err != nil {
		return store.Alias{}, err
	}
	if a.UpdatedAt, err = codec.ParseTime(updated); err != nil {
		return store.Alias{}, err
	}
	return a, nil
}
