package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/store"
)

// putUsage inserts a key's usage, or replaces the stored one if it is
// earlier; nothing for a key that does not exist.
const putUsage = `INSERT INTO key_usage (key_id, operation, at_ns, request_id, event_id)
	SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM keys WHERE id = $1)
	ON CONFLICT (key_id) DO UPDATE SET
		operation = excluded.operation, at_ns = excluded.at_ns,
		request_id = excluded.request_id, event_id = excluded.event_id
	WHERE excluded.at_ns > key_usage.at_ns`

// PutKeyUsages implements store.Store: one transaction for the batch, in
// key order so that two nodes flushing the same keys cannot deadlock.
func (s *Store) PutKeyUsages(ctx context.Context, us []store.KeyUsage) error {
	if len(us) == 0 {
		return nil
	}
	sorted := make([]store.KeyUsage, len(us))
	copy(sorted, us)
	sortUsages(sorted)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, u := range sorted {
			b.Queue(putUsage, u.KeyID, u.Operation, u.Time.UnixNano(), u.RequestID, u.EventID)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: put key usages: %w", err)
	}
	return nil
}

// GetKeyUsage implements store.Store. ErrNotFound if none is recorded.
func (s *Store) GetKeyUsage(ctx context.Context, keyID string) (store.KeyUsage, error) {
	u := store.KeyUsage{KeyID: keyID}
	var ns int64
	err := s.read(ctx, func() error {
		return s.pool.QueryRow(ctx,
			`SELECT operation, at_ns, request_id, event_id FROM key_usage WHERE key_id = $1`, keyID).
			Scan(&u.Operation, &ns, &u.RequestID, &u.EventID)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.KeyUsage{}, fmt.Errorf("postgres: get key usage %s: %w", keyID, err)
	}
	u.Time = time.Unix(0, ns).UTC()
	return u, nil
}

func sortUsages(us []store.KeyUsage) {
	slices.SortFunc(us, func(a, b store.KeyUsage) int { return strings.Compare(a.KeyID, b.KeyID) })
}
