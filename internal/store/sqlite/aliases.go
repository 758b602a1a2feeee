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

// CreateAlias implements store.Store. ErrExists if the name is taken;
// ErrNotFound if the target key does not exist.
func (s *Store) CreateAlias(ctx context.Context, a store.Alias) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := keyExists(ctx, tx, a.KeyID); err != nil {
			return err
		}
		return inserted(tx.ExecContext(ctx,
			`INSERT INTO aliases (name, key_id, created_at, updated_at) VALUES (?, ?, ?, ?)
			 ON CONFLICT (name) DO NOTHING`,
			a.Name, a.KeyID, codec.FormatTime(a.CreatedAt), codec.FormatTime(a.UpdatedAt)))
	})
	if err != nil {
		return fmt.Errorf("sqlite: create alias %s: %w", a.Name, err)
	}
	return nil
}

// GetAlias implements store.Store. ErrNotFound if absent.
func (s *Store) GetAlias(ctx context.Context, name string) (store.Alias, error) {
	a, err := scanAlias(s.r.QueryRowContext(ctx,
		`SELECT name, key_id, created_at, updated_at FROM aliases WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Alias{}, fmt.Errorf("sqlite: get alias %s: %w", name, err)
	}
	return a, nil
}

// UpdateAlias implements store.Store. ErrNotFound if the alias or the key
// is absent.
func (s *Store) UpdateAlias(ctx context.Context, name, keyID string, now time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := keyExists(ctx, tx, keyID); err != nil {
			return err
		}
		return affected(tx.ExecContext(ctx, `UPDATE aliases SET key_id = ?, updated_at = ? WHERE name = ?`,
			keyID, codec.FormatTime(now), name))
	})
	if err != nil {
		return fmt.Errorf("sqlite: update alias %s: %w", name, err)
	}
	return nil
}

// DeleteAlias implements store.Store. ErrNotFound if absent.
func (s *Store) DeleteAlias(ctx context.Context, name string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return affected(tx.ExecContext(ctx, `DELETE FROM aliases WHERE name = ?`, name))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete alias %s: %w", name, err)
	}
	return nil
}

// ListAliases implements store.Store. A limit of zero or less returns no
// aliases.
func (s *Store) ListAliases(ctx context.Context, keyID, after string, limit int) ([]store.Alias, error) {
	if limit <= 0 {
		return nil, nil
	}
	const cols = `SELECT name, key_id, created_at, updated_at FROM aliases `
	var rows *sql.Rows
	var err error
	if keyID == "" {
		rows, err = s.r.QueryContext(ctx, cols+`WHERE name > ? ORDER BY name LIMIT ?`, after, limit)
	} else {
		rows, err = s.r.QueryContext(ctx, cols+`WHERE key_id = ? AND name > ? ORDER BY name LIMIT ?`,
			keyID, after, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: list aliases: %w", err)
	}
	defer rows.Close()
	var out []store.Alias
	for rows.Next() {
		a, err := scanAlias(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list aliases: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list aliases: %w", err)
	}
	return out, nil
}

// keyExists returns an error wrapping ErrNotFound unless key id exists.
func keyExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM keys WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("key %s: %w", id, store.ErrNotFound)
	}
	return err
}

func scanAlias(row interface{ Scan(...any) error }) (store.Alias, error) {
	var a store.Alias
	var created, updated string
	if err := row.Scan(&a.Name, &a.KeyID, &created, &updated); err != nil {
		return store.Alias{}, err
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
