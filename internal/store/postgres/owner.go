package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

// rootLock is the meta row CreateCredential locks for the account root's
// credentials, which have no user row to lock. Its value is empty.
const rootLock = "lock/root-credentials"

// CreateCredential implements store.IAMStore. It locks the owner — the
// user's row with SELECT ... FOR UPDATE, which DeleteUser takes too, or
// the root's meta row — then counts the owner's credentials and inserts, in
// one transaction. Concurrent calls for one owner, on any node, queue on
// the lock, and at READ COMMITTED each count, run once the lock is
// granted, sees the credentials committed before: the limit holds. A user
// deleted while the call waited is not found.
func (s *Store) CreateCredential(ctx context.Context, c store.Credential, limit int) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var n int
		if c.UserName == "" {
			c.UserID = ""
			if _, err := tx.Exec(ctx, `INSERT INTO meta (name, value) VALUES ($1, '') ON CONFLICT (name) DO NOTHING`, rootLock); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `SELECT 1 FROM meta WHERE name = $1 FOR UPDATE`, rootLock); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM credentials WHERE user_name = ''`).Scan(&n); err != nil {
				return err
			}
		} else {
			var name, userID string
			err := noRows(tx.QueryRow(ctx, `SELECT name, user_id FROM users `+byName+` FOR UPDATE`, codec.FoldName(c.UserName)).Scan(&name, &userID))
			if err == nil && userID != c.UserID {
				err = store.ErrNotFound
			}
			if err != nil {
				return err
			}
			c.UserName = name
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM credentials WHERE user_id = $1`, c.UserID).Scan(&n); err != nil {
				return err
			}
		}
		if n >= limit {
			return stop(store.ErrLimitExceeded)
		}
		return inserted(tx.Exec(ctx,
			`INSERT INTO credentials (access_key_id, principal_arn, user_name, user_id, sealed_secret, status, created_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (access_key_id) DO NOTHING`,
			c.AccessKeyID, c.PrincipalARN, c.UserName, c.UserID, nonNil(c.SealedSecret), c.Status, codec.FormatTime(c.CreatedAt)))
	})
	if err != nil {
		return fmt.Errorf("postgres: create credential %s: %w", c.AccessKeyID, err)
	}
	return nil
}

// SetCredentialStatus implements store.IAMStore: one UPDATE, which changes
// nothing when the credential is gone.
func (s *Store) SetCredentialStatus(ctx context.Context, accessKeyID, status string) error {
	if err := affected(s.exec(ctx, `UPDATE credentials SET status = $1 WHERE access_key_id = $2`, status, accessKeyID)); err != nil {
		return fmt.Errorf("postgres: set status of credential %s: %w", accessKeyID, err)
	}
	return nil
}
