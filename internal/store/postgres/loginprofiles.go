package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/internal/codec"
)

var _ store.LoginProfileStore = (*Store)(nil)

const profileCols = `SELECT user_name, user_id, password_hash, password_reset_required, created_at, password_changed_at, password_last_used
	FROM login_profiles `

// profileByName selects the profile whose owner's name equals the
// parameter, given as codec.FoldName(name), regardless of ASCII case,
// through the unique index on lower(user_name). The account root's name
// is "", which only its own profile has.
const profileByName = `WHERE lower(user_name) = $1`

// CreateLoginProfile implements store.LoginProfileStore. For a user it
// locks the user's row with SELECT ... FOR UPDATE, as CreateCredential and
// DeleteUser do, checks the UserID and inserts, in one transaction: a
// DeleteUser on any node either commits first, and the user is not found,
// or waits and then sees the profile. The account root has no row to
// delete, so its insert needs no lock. ErrExists if the owner has a
// profile (its user_id is the primary key).
func (s *Store) CreateLoginProfile(ctx context.Context, p store.LoginProfile) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if p.UserName == "" {
			p.UserID = ""
		} else {
			var name, userID string
			err := noRows(tx.QueryRow(ctx, `SELECT name, user_id FROM users `+byName+` FOR UPDATE`, codec.FoldName(p.UserName)).Scan(&name, &userID))
			if err == nil && userID != p.UserID {
				err = store.ErrNotFound
			}
			if err != nil {
				return err
			}
			p.UserName = name
		}
		return inserted(tx.Exec(ctx,
			`INSERT INTO login_profiles (user_id, user_name, password_hash, password_reset_required, created_at, password_changed_at, password_last_used)
			 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
			p.UserID, p.UserName, p.PasswordHash, p.PasswordResetRequired,
			codec.FormatTime(p.CreatedAt), codec.FormatTime(p.PasswordChangedAt), codec.FormatTime(p.PasswordLastUsed)))
	})
	if err != nil {
		return fmt.Errorf("postgres: create login profile of %q: %w", p.UserName, err)
	}
	return nil
}

// GetLoginProfile implements store.LoginProfileStore. ErrNotFound if
// absent.
func (s *Store) GetLoginProfile(ctx context.Context, userName string) (store.LoginProfile, error) {
	var p store.LoginProfile
	err := s.read(ctx, func() error {
		var err error
		p, err = scanProfile(s.pool.QueryRow(ctx, profileCols+profileByName, codec.FoldName(userName)))
		return err
	})
	if err != nil {
		return store.LoginProfile{}, fmt.Errorf("postgres: get login profile of %q: %w", userName, err)
	}
	return p, nil
}

// UpdateLoginProfile implements store.LoginProfileStore like UpdateUser:
// SELECT ... FOR UPDATE, fn and the write in one transaction. fn must not
// change the owner, and may be called more than once if the transaction is
// retried; its error is returned unchanged. ErrNotFound if absent.
func (s *Store) UpdateLoginProfile(ctx context.Context, userName string, fn func(*store.LoginProfile) error) (store.LoginProfile, error) {
	var out store.LoginProfile
	var fnErr error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		fnErr = nil
		p, err := scanProfile(tx.QueryRow(ctx, profileCols+profileByName+` FOR UPDATE`, codec.FoldName(userName)))
		if err != nil {
			return err
		}
		stored := p
		if fnErr = fn(&p); fnErr != nil {
			return stop(fnErr)
		}
		if p.UserName != stored.UserName || p.UserID != stored.UserID {
			return stop(fmt.Errorf("fn changed the owner to %q (%s)", p.UserName, p.UserID))
		}
		if _, err := tx.Exec(ctx,
			`UPDATE login_profiles SET password_hash = $1, password_reset_required = $2, created_at = $3, password_changed_at = $4, password_last_used = $5
			 WHERE user_id = $6`,
			p.PasswordHash, p.PasswordResetRequired, codec.FormatTime(p.CreatedAt),
			codec.FormatTime(p.PasswordChangedAt), codec.FormatTime(p.PasswordLastUsed), p.UserID); err != nil {
			return err
		}
		// Read back what was written: the caller gets the stored state.
		out, err = scanProfile(tx.QueryRow(ctx, profileCols+`WHERE user_id = $1`, p.UserID))
		return err
	})
	switch {
	case fnErr != nil:
		return store.LoginProfile{}, fnErr
	case err != nil:
		return store.LoginProfile{}, fmt.Errorf("postgres: update login profile of %q: %w", userName, err)
	}
	return out, nil
}

// DeleteLoginProfile implements store.LoginProfileStore. ErrNotFound if
// absent.
func (s *Store) DeleteLoginProfile(ctx context.Context, userName string) error {
	if err := affected(s.exec(ctx, `DELETE FROM login_profiles `+profileByName, codec.FoldName(userName))); err != nil {
		return fmt.Errorf("postgres: delete login profile of %q: %w", userName, err)
	}
	return nil
}

// scanProfile scans a row of profileCols. ErrNotFound if there is none.
func scanProfile(row pgx.Row) (store.LoginProfile, error) {
	var p store.LoginProfile
	var created, changed, used string
	if err := row.Scan(&p.UserName, &p.UserID, &p.PasswordHash, &p.PasswordResetRequired, &created, &changed, &used); err != nil {
		return store.LoginProfile{}, noRows(err)
	}
	var err error
	if p.CreatedAt, err = codec.ParseTime(created); err != nil {
		return store.LoginProfile{}, err
	}
	if p.PasswordChangedAt, err = codec.ParseTime(changed); err != nil {
		return store.LoginProfile{}, err
	}
	if p.PasswordLastUsed, err = codec.ParseTime(used); err != nil {
		return store.LoginProfile{}, err
	}
	return p, nil
}
