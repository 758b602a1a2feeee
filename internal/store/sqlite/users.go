package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

const userCols = `SELECT name, user_id, path, arn, created_at, inline_policies, attached_policies FROM users `

// byName selects the user whose name equals the parameter, given as
// codec.FoldName(name), regardless of ASCII case, through the unique
// index on lower(name).
const byName = `WHERE lower(name) = ?`

// CreateUser implements store.IAMStore. ErrExists if the name (in any
// case: the unique index on lower(name)) or the UserID is taken.
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	inline, attached, err := codec.EncodePolicies(u)
	if err != nil {
		return fmt.Errorf("sqlite: create user %s: %w", u.Name, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		// No conflict target: a taken name and a taken user_id are both
		// ErrExists.
		return inserted(tx.ExecContext(ctx,
			`INSERT INTO users (name, user_id, path, arn, created_at, inline_policies, attached_policies)
			 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			u.Name, u.UserID, u.Path, u.ARN, codec.FormatTime(u.CreatedAt), inline, attached))
	})
	if err != nil {
		return fmt.Errorf("sqlite: create user %s: %w", u.Name, err)
	}
	return nil
}

// GetUser implements store.IAMStore. ErrNotFound if absent.
func (s *Store) GetUser(ctx context.Context, name string) (store.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, userCols+byName, codec.FoldName(name)))
	if err != nil {
		return store.User{}, fmt.Errorf("sqlite: get user %s: %w", name, err)
	}
	return u, nil
}

// UpdateUser implements store.IAMStore: the read, fn and the write run in
// one write transaction, like UpdateKey. fn must not change the name; its
// error is returned unchanged. ErrNotFound if absent.
func (s *Store) UpdateUser(ctx context.Context, name string, fn func(*store.User) error) (store.User, error) {
	var out store.User
	var fnErr error
	err := s.write(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, userCols+byName, codec.FoldName(name)))
		if err != nil {
			return err
		}
		stored := u.Name
		if fnErr = fn(&u); fnErr != nil {
			return fnErr
		}
		if u.Name != stored {
			return fmt.Errorf("fn changed the name to %q", u.Name)
		}
		inline, attached, err := codec.EncodePolicies(u)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE users SET user_id = ?, path = ?, arn = ?, created_at = ?, inline_policies = ?, attached_policies = ?
			 WHERE name = ?`,
			u.UserID, u.Path, u.ARN, codec.FormatTime(u.CreatedAt), inline, attached, stored); err != nil {
			return err
		}
		// Decode what was written: the caller gets the stored state, and
		// nothing fn may still hold a reference to.
		out, err = codec.DecodeUser(u.Name, u.UserID, u.Path, u.ARN, codec.FormatTime(u.CreatedAt), inline, attached)
		return err
	})
	switch {
	case fnErr != nil:
		return store.User{}, fnErr
	case err != nil:
		return store.User{}, fmt.Errorf("sqlite: update user %s: %w", name, err)
	}
	return out, nil
}

// DeleteUser implements store.IAMStore: the checks and the delete run in
// one write transaction, which SQLite's single writer serialises with
// every CreateCredential and CreateLoginProfile, in this process or
// another.
func (s *Store) DeleteUser(ctx context.Context, name string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, userCols+byName, codec.FoldName(name)))
		if err != nil {
			return err
		}
		var profile bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM login_profiles WHERE user_id = ?)`, u.UserID).Scan(&profile); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM credentials WHERE user_id = ?`, u.UserID).Scan(&n); err != nil {
			return err
		}
		if err := store.DeletableUser(u, n, profile); err != nil {
			return err
		}
		return affected(tx.ExecContext(ctx, `DELETE FROM users WHERE user_id = ?`, u.UserID))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete user %s: %w", name, err)
	}
	return nil
}

// ListUsers implements store.IAMStore. A limit of zero or less returns no
// users.
func (s *Store) ListUsers(ctx context.Context, after string, limit int) ([]store.User, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, userCols+`WHERE name > ? ORDER BY name LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	return out, nil
}

// scanUser scans a row of userCols. ErrNotFound if there is none.
func scanUser(row interface{ Scan(...any) error }) (store.User, error) {
	var name, userID, path, arn, created, inline, attached string
	err := row.Scan(&name, &userID, &path, &arn, &created, &inline, &attached)
	if errors.Is(err, sql.ErrNoRows) {
		return store.User{}, store.ErrNotFound
	}
	if err != nil {
		return store.User{}, err
	}
	return codec.DecodeUser(name, userID, path, arn, created, inline, attached)
}
