package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/store"
)

var _ store.Migrator = (*Store)(nil)

// GetMeta implements store.Migrator.
func (s *Store) GetMeta(ctx context.Context, name string) ([]byte, bool, error) {
	var v []byte
	err := s.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: get meta %s: %w", name, err)
	}
	return v, true, nil
}

// SwapMeta implements store.Migrator in one write transaction.
func (s *Store) SwapMeta(ctx context.Context, name string, old, value []byte) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var cur []byte
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = ?`, name).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if old != nil {
				return store.ErrValueChanged
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES (?, ?)`, name, nonNil(value))
			return err
		case err != nil:
			return err
		case old == nil || !bytes.Equal(cur, old):
			return store.ErrValueChanged
		}
		_, err = tx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE name = ?`, nonNil(value), name)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: swap meta %s: %w", name, err)
	}
	return nil
}

// SwapCredentialSecret implements store.Migrator in one write transaction.
func (s *Store) SwapCredentialSecret(ctx context.Context, accessKeyID string, old, sealed []byte) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var cur []byte
		err := tx.QueryRowContext(ctx, `SELECT sealed_secret FROM credentials WHERE access_key_id = ?`, accessKeyID).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return store.ErrNotFound
		case err != nil:
			return err
		case !bytes.Equal(cur, old):
			return store.ErrValueChanged
		}
		_, err = tx.ExecContext(ctx, `UPDATE credentials SET sealed_secret = ? WHERE access_key_id = ?`, nonNil(sealed), accessKeyID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: swap secret of access key %s: %w", accessKeyID, err)
	}
	return nil
}

// Scrub implements store.Migrator: VACUUM rewrites the database file
// without the free pages that held replaced rows, and a truncating WAL
// checkpoint empties the write-ahead log, which holds them too. It runs
// on the writer connection; a reader still open elsewhere (another
// process) makes the checkpoint fail.
func (s *Store) Scrub(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("sqlite: VACUUM: %w", err)
	}
	var busy, logged, checkpointed int
	if err := s.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &checkpointed); err != nil {
		return fmt.Errorf("sqlite: WAL checkpoint: %w", err)
	}
	if busy != 0 {
		return errors.New("sqlite: the WAL checkpoint could not complete: another connection is reading the database (is a server running on it?)")
	}
	return nil
}
