package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/store"
)

var _ store.Migrator = (*Store)(nil)

// GetMeta implements store.Migrator.
func (s *Store) GetMeta(ctx context.Context, name string) ([]byte, bool, error) {
	var v []byte
	err := s.read(ctx, func() error {
		return s.pool.QueryRow(ctx, `SELECT value FROM meta WHERE name = $1`, name).Scan(&v)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: get meta %s: %w", name, err)
	}
	return v, true, nil
}

// SwapMeta implements store.Migrator: the row is locked (FOR UPDATE) or
// inserted only if absent, so concurrent swaps serialise.
func (s *Store) SwapMeta(ctx context.Context, name string, old, value []byte) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if old == nil {
			tag, err := tx.Exec(ctx, `INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, nonNil(value))
			if err == nil && tag.RowsAffected() != 1 {
				err = store.ErrValueChanged
			}
			return err
		}
		var cur []byte
		err := tx.QueryRow(ctx, `SELECT value FROM meta WHERE name = $1 FOR UPDATE`, name).Scan(&cur)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return store.ErrValueChanged
		case err != nil:
			return err
		case !bytes.Equal(cur, old):
			return store.ErrValueChanged
		}
		_, err = tx.Exec(ctx, `UPDATE meta SET value = $1 WHERE name = $2`, nonNil(value), name)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: swap meta %s: %w", name, err)
	}
	return nil
}

// SwapCredentialSecret implements store.Migrator with one conditional
// UPDATE; a second statement tells a missing access key from a changed one.
func (s *Store) SwapCredentialSecret(ctx context.Context, accessKeyID string, old, sealed []byte) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE credentials SET sealed_secret = $1 WHERE access_key_id = $2 AND sealed_secret = $3`,
			nonNil(sealed), accessKeyID, nonNil(old))
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		var one int
		err = tx.QueryRow(ctx, `SELECT 1 FROM credentials WHERE access_key_id = $1`, accessKeyID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return store.ErrValueChanged
	})
	if err != nil {
		return fmt.Errorf("postgres: swap secret of access key %s: %w", accessKeyID, err)
	}
	return nil
}

// Scrub implements store.Migrator: VACUUM FULL rewrites the tables that
// hold sealed values, taking an exclusive lock on each while it runs.
func (s *Store) Scrub(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `VACUUM (FULL) keys, credentials, meta, custom_key_stores`); err != nil {
		return fmt.Errorf("postgres: VACUUM FULL: %w", err)
	}
	return nil
}
