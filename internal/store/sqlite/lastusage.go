package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// putUsage inserts a key's usage, or replaces the stored one if it is
// earlier; nothing for a key that does not exist.
const putUsage = `INSERT INTO key_usage (key_id, operation, at_ns, request_id, event_id)
	SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM keys WHERE id = ?1)
	ON CONFLICT (key_id) DO UPDATE SET
		operation = excluded.operation, at_ns = excluded.at_ns,
		request_id = excluded.request_id, event_id = excluded.event_id
	WHERE excluded.at_ns > key_usage.at_ns`

// PutKeyUsages implements store.Store: one transaction for the batch.
func (s *Store) PutKeyUsages(ctx context.Context, us []store.KeyUsage) error {
	if len(us) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, putUsage)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, u := range us {
			if _, err := stmt.ExecContext(ctx, u.KeyID, u.Operation, u.Time.UnixNano(), u.RequestID, u.EventID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: put key usages: %w", err)
	}
	return nil
}

// GetKeyUsage implements store.Store. ErrNotFound if none is recorded.
func (s *Store) GetKeyUsage(ctx context.Context, keyID string) (store.KeyUsage, error) {
	u := store.KeyUsage{KeyID: keyID}
	var ns int64
	err := s.r.QueryRowContext(ctx,
		`SELECT operation, at_ns, request_id, event_id FROM key_usage WHERE key_id = ?`, keyID).
		Scan(&u.Operation, &ns, &u.RequestID, &u.EventID)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.KeyUsage{}, fmt.Errorf("sqlite: get key usage %s: %w", keyID, err)
	}
	u.Time = time.Unix(0, ns).UTC()
	return u, nil
}
