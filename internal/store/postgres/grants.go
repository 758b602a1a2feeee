package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

const grantCols = `SELECT key_id, grant_id, name, grantee_principal, retiring_principal, created_at, doc FROM grants `

// CreateGrant implements store.IAMStore. It locks the key (FOR KEY SHARE)
// so that a concurrent DeleteKey cannot leave the grant behind. ErrExists
// if (KeyID, GrantID) is taken; ErrNotFound if the key does not exist.
func (s *Store) CreateGrant(ctx context.Context, g store.Grant) error {
	doc, err := codec.EncodeGrant(g)
	if err != nil {
		return fmt.Errorf("postgres: create grant %s: encode: %w", g.GrantID, err)
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockKey(ctx, tx, g.KeyID); err != nil {
			return err
		}
		return inserted(tx.Exec(ctx,
			`INSERT INTO grants (key_id, grant_id, name, grantee_principal, retiring_principal, created_at, doc)
			 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key_id, grant_id) DO NOTHING`,
			g.KeyID, g.GrantID, g.Name, g.GranteePrincipal, g.RetiringPrincipal, codec.FormatTime(g.CreatedAt), string(doc)))
	})
	if err != nil {
		return fmt.Errorf("postgres: create grant %s on key %s: %w", g.GrantID, g.KeyID, err)
	}
	return nil
}

// GetGrant implements store.IAMStore. ErrNotFound if absent.
func (s *Store) GetGrant(ctx context.Context, keyID, grantID string) (store.Grant, error) {
	var g store.Grant
	err := s.read(ctx, func() error {
		var err error
		g, err = scanGrant(s.pool.QueryRow(ctx, grantCols+`WHERE key_id = $1 AND grant_id = $2`, keyID, grantID))
		return err
	})
	if err != nil {
		return store.Grant{}, fmt.Errorf("postgres: get grant %s on key %s: %w", grantID, keyID, err)
	}
	return g, nil
}

// ListGrants implements store.IAMStore. A limit of zero or less returns no
// grants.
func (s *Store) ListGrants(ctx context.Context, keyID, after string, limit int) ([]store.Grant, error) {
	if limit <= 0 {
		return nil, nil
	}
	out, err := s.queryGrants(ctx, grantCols+`WHERE key_id = $1 AND grant_id > $2 ORDER BY grant_id LIMIT $3`,
		keyID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: list grants of key %s: %w", keyID, err)
	}
	return out, nil
}

// ListRetirableGrants implements store.IAMStore, using the index on
// (retiring_principal, key_id, grant_id). A limit of zero or less returns
// no grants.
func (s *Store) ListRetirableGrants(ctx context.Context, principal, afterKeyID, afterGrantID string, limit int) ([]store.Grant, error) {
	if limit <= 0 {
		return nil, nil
	}
	out, err := s.queryGrants(ctx, grantCols+
		`WHERE retiring_principal = $1 AND (key_id, grant_id) > ($2, $3) ORDER BY key_id, grant_id LIMIT $4`,
		principal, afterKeyID, afterGrantID, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: list grants retirable by %s: %w", principal, err)
	}
	return out, nil
}

// DeleteGrant implements store.IAMStore. ErrNotFound if absent.
func (s *Store) DeleteGrant(ctx context.Context, keyID, grantID string) error {
	if err := affected(s.exec(ctx, `DELETE FROM grants WHERE key_id = $1 AND grant_id = $2`, keyID, grantID)); err != nil {
		return fmt.Errorf("postgres: delete grant %s on key %s: %w", grantID, keyID, err)
	}
	return nil
}

func (s *Store) queryGrants(ctx context.Context, query string, args ...any) ([]store.Grant, error) {
	var out []store.Grant
	err := s.read(ctx, func() error {
		rows, err := s.pool.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Grant, error) { return scanGrant(row) })
		return err
	})
	return out, err
}

// scanGrant scans a row of grantCols. ErrNotFound if there is none.
func scanGrant(row pgx.Row) (store.Grant, error) {
	var g store.Grant
	var created string
	var doc []byte
	if err := row.Scan(&g.KeyID, &g.GrantID, &g.Name, &g.GranteePrincipal, &g.RetiringPrincipal, &created, &doc); err != nil {
		return store.Grant{}, noRows(err)
	}
	var err error
	if g.CreatedAt, err = codec.ParseTime(created); err != nil {
		return store.Grant{}, err
	}
	if err := codec.DecodeGrant(doc, &g); err != nil {
		return store.Grant{}, err
	}
	return g, nil
}
