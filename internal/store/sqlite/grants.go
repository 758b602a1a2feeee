package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

const grantCols = `SELECT key_id, grant_id, name, grantee_principal, retiring_principal, created_at, doc FROM grants `

// CreateGrant implements store.IAMStore. ErrExists if (KeyID, GrantID) is
// taken; ErrNotFound if the key does not exist.
func (s *Store) CreateGrant(ctx context.Context, g store.Grant) error {
	doc, err := codec.EncodeGrant(g)
	if err != nil {
		return fmt.Errorf("sqlite: create grant %s: encode: %w", g.GrantID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := keyExists(ctx, tx, g.KeyID); err != nil {
			return err
		}
		return inserted(tx.ExecContext(ctx,
			`INSERT INTO grants (key_id, grant_id, name, grantee_principal, retiring_principal, created_at, doc)
			 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key_id, grant_id) DO NOTHING`,
			g.KeyID, g.GrantID, g.Name, g.GranteePrincipal, g.RetiringPrincipal, codec.FormatTime(g.CreatedAt), string(doc)))
	})
	if err != nil {
		return fmt.Errorf("sqlite: create grant %s on key %s: %w", g.GrantID, g.KeyID, err)
	}
	return nil
}

// GetGrant implements store.IAMStore. ErrNotFound if absent.
func (s *Store) GetGrant(ctx context.Context, keyID, grantID string) (store.Grant, error) {
	g, err := scanGrant(s.r.QueryRowContext(ctx, grantCols+`WHERE key_id = ? AND grant_id = ?`, keyID, grantID))
	if err != nil {
		return store.Grant{}, fmt.Errorf("sqlite: get grant %s on key %s: %w", grantID, keyID, err)
	}
	return g, nil
}

// ListGrants implements store.IAMStore. A limit of zero or less returns no
// grants.
func (s *Store) ListGrants(ctx context.Context, keyID, after string, limit int) ([]store.Grant, error) {
	if limit <= 0 {
		return nil, nil
	}
	out, err := s.queryGrants(ctx, grantCols+`WHERE key_id = ? AND grant_id > ? ORDER BY grant_id LIMIT ?`,
		keyID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list grants of key %s: %w", keyID, err)
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
		`WHERE retiring_principal = ? AND (key_id, grant_id) > (?, ?) ORDER BY key_id, grant_id LIMIT ?`,
		principal, afterKeyID, afterGrantID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list grants retirable by %s: %w", principal, err)
	}
	return out, nil
}

// DeleteGrant implements store.IAMStore. ErrNotFound if absent.
func (s *Store) DeleteGrant(ctx context.Context, keyID, grantID string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return affected(tx.ExecContext(ctx, `DELETE FROM grants WHERE key_id = ? AND grant_id = ?`, keyID, grantID))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete grant %s on key %s: %w", grantID, keyID, err)
	}
	return nil
}

func (s *Store) queryGrants(ctx context.Context, query string, args ...any) ([]store.Grant, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// scanGrant scans a row of grantCols. ErrNotFound if there is none.
func scanGrant(row interface{ Scan(...any) error }) (store.Grant, error) {
	var g store.Grant
	var created, doc string
	err := row.Scan(&g.KeyID, &g.GrantID, &g.Name, &g.GranteePrincipal, &g.RetiringPrincipal, &created, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Grant{}, store.ErrNotFound
	}
	if err != nil {
		return store.Grant{}, err
	}
	if g.CreatedAt, err = codec.ParseTime(created); err != nil {
		return store.Grant{}, err
	}
	if err := codec.DecodeGrant([]byte(doc), &g); err != nil {
		return store.Grant{}, err
	}
	return g, nil
}
