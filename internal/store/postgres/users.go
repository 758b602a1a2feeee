package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

const userCols = `SELECT name, user_id, path, arn, created_at, inline_policies, attached_policies FROM users `

// byName selects the user whose name equals the parameter, given as
// codec.FoldName(name), regardless of ASCII case, through the unique
// index on lower(name).
const byName = `WHERE lower(name) = $1`

// CreateUser implements store.IAMStore. ErrExists if the name (in any
// case: the unique index on lower(name)) or the UserID is taken. Two nodes
// inserting "Bob" and "bob" at once: the second insert waits for the
// first to commit, then conflicts.
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	inline, attached, err := codec.EncodePolicies(u)
	if err != nil {
		return fmt.Errorf("postgres: create user %s: %w", u.Name, err)
	}
	// No conflict target: a taken name and a taken user_id are both
	// ErrExists.
	err = inserted(s.exec(ctx,
		`INSERT INTO users (name, user_id, path, arn, created_at, inline_policies, attached_policies)
		 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		u.Name, u.UserID, u.Path, u.ARN, codec.FormatTime(u.CreatedAt), inline, attached))
	if err != nil {
		return fmt.Errorf("postgres: create user %s: %w", u.Name, err)
	}
	return nil
}

// GetUser implements store.IAMStore. ErrNotFound if absent.
func (s *Store) GetUser(ctx context.Context, name string) (store.User, error) {
	var u store.User
	err := s.read(ctx, func() error {
		var err error
		u, err = scanUser(s.pool.QueryRow(ctx, userCols+byName, codec.FoldName(name)))
		return err
	})
	if err != nil {
		return store.User{}, fmt.Errorf("postgres: get user %s: %w", name, err)
	}
	return u, nil
}

// UpdateUser implements store.IAMStore like UpdateKey: SELECT ... FOR
// UPDATE, fn and the write in one transaction. fn must not change the
// name, and may be called more than once if the transaction is retried;
// its error is returned unchanged. ErrNotFound if absent.
func (s *Store) UpdateUser(ctx context.Context, name string, fn func(*store.User) error) (store.User, error) {
	var out store.User
	var fnErr error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		fnErr = nil
		u, err := scanUser(tx.QueryRow(ctx, userCols+byName+` FOR UPDATE`, codec.FoldName(name)))
		if err != nil {
			return err
		}
		stored := u.Name
		if fnErr = fn(&u); fnErr != nil {
			return stop(fnErr)
		}
		if u.Name != stored {
			return stop(fmt.Errorf("fn changed the name to %q", u.Name))
		}
		inline, attached, err := codec.EncodePolicies(u)
		if err != nil {
			return stop(err)
		}
		created := codec.FormatTime(u.CreatedAt)
		if _, err := tx.Exec(ctx,
			`UPDATE users SET user_id = $1, path = $2, arn = $3, created_at = $4, inline_policies = $5, attached_policies = $6
			 WHERE name = $7`,
			u.UserID, u.Path, u.ARN, created, inline, attached, stored); err != nil {
			return err
		}
		// Decode what was written: the caller gets the stored state, and
		// nothing fn may still hold a reference to.
		out, err = codec.DecodeUser(u.Name, u.UserID, u.Path, u.ARN, created, inline, attached)
		return err
	})
	switch {
	case fnErr != nil:
		return store.User{}, fnErr
	case err != nil:
		return store.User{}, fmt.Errorf("postgres: update user %s: %w", name, err)
	}
	return out, nil
}

// DeleteUser implements store.IAMStore: it locks the user's row (SELECT
// ... FOR UPDATE, as CreateCredential and CreateLoginProfile do), looks
// for its login profile, counts its credentials and deletes it in one
// transaction. At READ COMMITTED these reads, statements run after the
// lock is granted, see a credential or profile committed by a call that
// held the lock first.
func (s *Store) DeleteUser(ctx context.Context, name string) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		u, err := scanUser(tx.QueryRow(ctx, userCols+byName+` FOR UPDATE`, codec.FoldName(name)))
		if err != nil {
			return err
		}
		var profile bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM login_profiles WHERE user_id = $1)`, u.UserID).Scan(&profile); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM credentials WHERE user_id = $1`, u.UserID).Scan(&n); err != nil {
			return err
		}
		if err := store.DeletableUser(u, n, profile); err != nil {
			return stop(err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM users WHERE user_id = $1`, u.UserID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete user %s: %w", name, err)
	}
	return nil
}

// ListUsers implements store.IAMStore. A limit of zero or less returns no
// users.
func (s *Store) ListUsers(ctx context.Context, after string, limit int) ([]store.User, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []store.User
	err := s.read(ctx, func() error {
		rows, err := s.pool.Query(ctx, userCols+`WHERE name > $1 ORDER BY name LIMIT $2`, after, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.User, error) { return scanUser(row) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	return out, nil
}

// scanUser scans a row of userCols. ErrNotFound if there is none.
func scanUser(row pgx.Row) (store.User, error) {
	var name, userID, path, arn, created, inline, attached string
	if err := row.Scan(&name, &userID, &path, &arn, &created, &inline, &attached); err != nil {
		return store.User{}, noRows(err)
	}
	return codec.DecodeUser(name, userID, path, arn, created, inline, attached)
}
