package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

const credentialCols = `SELECT access_key_id, principal_arn, user_name, user_id, sealed_secret, status, created_at FROM credentials `

// PutCredential implements store.Store: it inserts or replaces c.
func (s *Store) PutCredential(ctx context.Context, c store.Credential) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO credentials (access_key_id, principal_arn, user_name, user_id, sealed_secret, status, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?)
			 ON CONFLICT (access_key_id) DO UPDATE SET
			   principal_arn = excluded.principal_arn,
			   user_name     = excluded.user_name,
			   user_id       = excluded.user_id,
			   sealed_secret = excluded.sealed_secret,
			   status        = excluded.status,
			   created_at    = excluded.created_at`,
			c.AccessKeyID, c.PrincipalARN, c.UserName, c.UserID, nonNil(c.SealedSecret), c.Status, codec.FormatTime(c.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: put credential %s: %w", c.AccessKeyID, err)
	}
	return nil
}

// GetCredential implements store.Store. ErrNotFound if absent.
func (s *Store) GetCredential(ctx context.Context, accessKeyID string) (store.Credential, error) {
	c, err := scanCredential(s.r.QueryRowContext(ctx, credentialCols+`WHERE access_key_id = ?`, accessKeyID))
	if err != nil {
		return store.Credential{}, fmt.Errorf("sqlite: get credential %s: %w", accessKeyID, err)
	}
	return c, nil
}

// ListCredentials implements store.IAMStore: the credentials of userName
// ("" for the account root) in ascending access key ID order, using the
// index on (user_name, access_key_id).
func (s *Store) ListCredentials(ctx context.Context, userName string) ([]store.Credential, error) {
	rows, err := s.r.QueryContext(ctx, credentialCols+`WHERE user_name = ? ORDER BY access_key_id`, userName)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list credentials of %q: %w", userName, err)
	}
	defer rows.Close()
	var out []store.Credential
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list credentials of %q: %w", userName, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list credentials of %q: %w", userName, err)
	}
	return out, nil
}

// DeleteCredential implements store.IAMStore. ErrNotFound if absent.
func (s *Store) DeleteCredential(ctx context.Context, accessKeyID string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return affected(tx.ExecContext(ctx, `DELETE FROM credentials WHERE access_key_id = ?`, accessKeyID))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete credential %s: %w", accessKeyID, err)
	}
	return nil
}

func scanCredential(row interface{ Scan(...any) error }) (store.Credential, error) {
	var c store.Credential
	var created string
	err := row.Scan(&c.AccessKeyID, &c.PrincipalARN, &c.UserName, &c.UserID, &c.SealedSecret, &c.Status, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Credential{}, store.ErrNotFound
	}
	if err != nil {
		return store.Credential{}, err
	}
	if c.CreatedAt, err = codec.ParseTime(created); err != nil {
		return store.Credential{}, err
	}
	return c, nil
}

// InitMeta implements store.Store. The insert and the read run in one write
// transaction, so concurrent callers, in this process or another, all get
// the value of the first.
func (s *Store) InitMeta(ctx context.Context, name string, value []byte) ([]byte, error) {
	var stored []byte
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
			name, nonNil(value)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = ?`, name).Scan(&stored)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: init meta %s: %w", name, err)
	}
	return stored, nil
}

// nonNil returns b, or an empty slice for nil: database/sql binds a nil
// []byte as NULL, and the BLOB columns are NOT NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
