package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

const credentialCols = `SELECT access_key_id, principal_arn, user_name, user_id, sealed_secret, status, created_at FROM credentials `

// PutCredential implements store.Store: it inserts or replaces c.
func (s *Store) PutCredential(ctx context.Context, c store.Credential) error {
	_, err := s.exec(ctx,
		`INSERT INTO credentials (access_key_id, principal_arn, user_name, user_id, sealed_secret, status, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7)
		 ON CONFLICT (access_key_id) DO UPDATE SET
		   principal_arn = EXCLUDED.principal_arn,
		   user_name     = EXCLUDED.user_name,
		   user_id       = EXCLUDED.user_id,
		   sealed_secret = EXCLUDED.sealed_secret,
		   status        = EXCLUDED.status,
		   created_at    = EXCLUDED.created_at`,
		c.AccessKeyID, c.PrincipalARN, c.UserName, c.UserID, nonNil(c.SealedSecret), c.Status, codec.FormatTime(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: put credential %s: %w", c.AccessKeyID, err)
	}
	return nil
}

// GetCredential implements store.Store. ErrNotFound if absent.
func (s *Store) GetCredential(ctx context.Context, accessKeyID string) (store.Credential, error) {
	var c store.Credential
	err := s.read(ctx, func() error {
		var err error
		c, err = scanCredential(s.pool.QueryRow(ctx, credentialCols+`WHERE access_key_id = $1`, accessKeyID))
		return err
	})
	if err != nil {
		return store.Credential{}, fmt.Errorf("postgres: get credential %s: %w", accessKeyID, err)
	}
	return c, nil
}

// ListCredentials implements store.IAMStore: the credentials of userName
// ("" for the account root) in ascending access key ID order, using the
// index on (user_name, access_key_id).
func (s *Store) ListCredentials(ctx context.Context, userName string) ([]store.Credential, error) {
	var out []store.Credential
	err := s.read(ctx, func() error {
		rows, err := s.pool.Query(ctx, credentialCols+`WHERE user_name = $1 ORDER BY access_key_id`, userName)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Credential, error) { return scanCredential(row) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list credentials of %q: %w", userName, err)
	}
	return out, nil
}

// DeleteCredential implements store.IAMStore. ErrNotFound if absent.
func (s *Store) DeleteCredential(ctx context.Context, accessKeyID string) error {
	if err := affected(s.exec(ctx, `DELETE FROM credentials WHERE access_key_id = $1`, accessKeyID)); err != nil {
		return fmt.Errorf("postgres: delete credential %s: %w", accessKeyID, err)
	}
	return nil
}

func scanCredential(row pgx.Row) (store.Credential, error) {
	var c store.Credential
	var created string
	if err := row.Scan(&c.AccessKeyID, &c.PrincipalARN, &c.UserName, &c.UserID, &c.SealedSecret, &c.Status, &created); err != nil {
		return store.Credential{}, noRows(err)
	}
	var err error
	if c.CreatedAt, err = codec.ParseTime(created); err != nil {
		return store.Credential{}, err
	}
	return c, nil
}

// InitMeta implements store.Store: INSERT ... ON CONFLICT DO NOTHING, then
// SELECT. The insert waits for a concurrent insert of the same name to
// commit or roll back; at READ COMMITTED the SELECT, a new snapshot, then
// sees the winner's row. (At a stricter level the conflict is a
// serialization failure, and the transaction is retried.)
func (s *Store) InitMeta(ctx context.Context, name string, value []byte) ([]byte, error) {
	var stored []byte
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
			name, nonNil(value)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT value FROM meta WHERE name = $1`, name).Scan(&stored)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: init meta %s: %w", name, err)
	}
	return stored, nil
}
