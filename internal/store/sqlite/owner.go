package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

// CreateCredential implements store.IAMStore. The owner check, the count
// and the insert run in one write transaction: SQLite has a single writer
// (BEGIN IMMEDIATE), so no other CreateCredential or DeleteUser, in this
// process or another, can run in between.
func (s *Store) CreateCredential(ctx context.Context, c store.Credential, limit int) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if c.UserName == "" {
			c.UserID = ""
			if err := tx.QueryRowContext(ctx,
				`SELECT count(*) FROM credentials WHERE user_name = ''`).Scan(&n); err != nil {
				return err
			}
		} else {
			var name, userID string
			err := tx.QueryRowContext(ctx, `SELECT name, user_id FROM users `+byName, codec.FoldName(c.UserName)).Scan(&name, &userID)
			if errors.Is(err, sql.ErrNoRows) || err == nil && userID != c.UserID {
				return store.ErrNotFound
			}
			if err != nil {
				return err
			}
			c.UserName = name
			if err := tx.QueryRowContext(ctx,
				`SELECT count(*) FROM credentials WHERE user_id = ?`, c.UserID).Scan(&n); err != nil {
				return err
			}
		}
		if n >= limit {
			return store.ErrLimitExceeded
		}
		return inserted(tx.ExecContext(ctx,
			`INSERT INTO credentials (access_key_id, principal_arn, user_name, user_id, sealed_secret, status, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (access_key_id) DO NOTHING`,
			c.AccessKeyID, c.PrincipalARN, c.UserName, c.UserID, nonNil(c.SealedSecret), c.Status, codec.FormatTime(c.CreatedAt)))
	})
	if err != nil {
		return fmt.Errorf("sqlite: create credential %s: %w", c.AccessKeyID, err)
	}
	return nil
}

// SetCredentialStatus implements store.IAMStore: one UPDATE, which changes
// nothing when the credential is gone.
func (s *Store) SetCredentialStatus(ctx context.Context, accessKeyID, status string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return affected(tx.ExecContext(ctx, `UPDATE credentials SET status = ? WHERE access_key_id = ?`, status, accessKeyID))
	})
	if err != nil {
		return fmt.Errorf("sqlite: set status of credential %s: %w", accessKeyID, err)
	}
	return nil
}
