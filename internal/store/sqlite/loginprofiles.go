package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
const profileByName = `WHERE lower(user_name) = ?`

// CreateLoginProfile implements store.LoginProfileStore. The owner check
// and the insert run in one write transaction, which SQLite's single
// writer serialises with every DeleteUser, in this process or another, as
// for CreateCredential. ErrExists if the owner has a profile (its user_id
// is the primary key).
func (s *Store) CreateLoginProfile(ctx context.Context, p store.LoginProfile) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if p.UserName == "" {
			p.UserID = ""
		} else {
			var name, userID string
			err := tx.QueryRowContext(ctx, `SELECT name, user_id FROM users `+byName, codec.FoldName(p.UserName)).Scan(&name, &userID)
			if errors.Is(err, sql.ErrNoRows) || err == nil && userID != p.UserID {
				return store.ErrNotFound
			}
			if err != nil {
				return err
			}
			p.UserName = name
		}
		return inserted(tx.ExecContext(ctx,
			`INSERT INTO login_profiles (user_id, user_name, password_hash, password_reset_required, created_at, password_changed_at, password_last_used)
			 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			p.UserID, p.UserName, p.PasswordHash, p.PasswordResetRequired,
			codec.FormatTime(p.CreatedAt), codec.FormatTime(p.PasswordChangedAt), codec.FormatTime(p.PasswordLastUsed)))
	})
	if err != nil {
		return fmt.Errorf("sqlite: create login profile of %q: %w", p.UserName, err)
	}
	return nil
}

// GetLoginProfile implements store.LoginProfileStore. ErrNotFound if
// absent.
func (s *Store) GetLoginProfile(ctx context.Context, userName string) (store.LoginProfile, error) {
	p, err := scanProfile(s.r.QueryRowContext(ctx, profileCols+profileByName, codec.FoldName(userName)))
	if err != nil {
		return store.LoginProfile{}, fmt.Errorf("sqlite: get login profile of %q: %w", userName, err)
	}
	return p, nil
}

// UpdateLoginProfile implements store.LoginProfileStore: the read, fn and
// the write run in one write transaction, like UpdateUser. fn must not
// change the owner; its error is returned unchanged. ErrNotFound if absent.
func (s *Store) UpdateLoginProfile(ctx context.Context, userName string, fn func(*store.LoginProfile) error) (store.LoginProfile, error) {
	var out store.LoginProfile
	var fnErr error
	err := s.write(ctx, func(tx *sql.Tx) error {
		p, err := scanProfile(tx.QueryRowContext(ctx, profileCols+profileByName, codec.FoldName(userName)))
		if err != nil {
			return err
		}
		stored := p
		if fnErr = fn(&p); fnErr != nil {
			return fnErr
		}
		if p.UserName != stored.UserName || p.UserID != stored.UserID {
			return fmt.Errorf("fn changed the owner to %q (%s)", p.UserName, p.UserID)
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE login_profiles SET password_hash = ?, password_reset_required = ?, created_at = ?, password_changed_at = ?, password_last_used = ?
			 WHERE user_id = ?`,
			p.PasswordHash, p.PasswordResetRequired, codec.FormatTime(p.CreatedAt),
			codec.FormatTime(p.PasswordChangedAt), codec.FormatTime(p.PasswordLastUsed), p.UserID); err != nil {
			return err
		}
		// Read back what was written: the caller gets the stored state.
		out, err = scanProfile(tx.QueryRowContext(ctx, profileCols+`WHERE user_id = ?`, p.UserID))
		return err
	})
	switch {
	case fnErr != nil:
		return store.LoginProfile{}, fnErr
	case err != nil:
		return store.LoginProfile{}, fmt.Errorf("sqlite: update login profile of %q: %w", userName, err)
	}
	return out, nil
}

// DeleteLoginProfile implements store.LoginProfileStore. ErrNotFound if
// absent.
func (s *Store) DeleteLoginProfile(ctx context.Context, userName string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return affected(tx.ExecContext(ctx, `DELETE FROM login_profiles `+profileByName, codec.FoldName(userName)))
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete login profile of %q: %w", userName, err)
	}
	return nil
}

// scanProfile scans a row of profileCols. ErrNotFound if there is none.
func scanProfile(row interface{ Scan(...any) error }) (store.LoginProfile, error) {
	var p store.LoginProfile
	var created, changed, used string
	err := row.Scan(&p.UserName, &p.UserID, &p.PasswordHash, &p.PasswordResetRequired, &created, &changed, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return store.LoginProfile{}, store.ErrNotFound
	}
	if err != nil {
		return store.LoginProfile{}, err
	}
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
