package store

import (
	"context"
	"fmt"
	"time"
)

// ErrHasLoginProfile: DeleteUser refused a user that still has a login
// profile (a console password). It wraps ErrConflict.
var ErrHasLoginProfile = fmt.Errorf("%w: user has a login profile", ErrConflict)

// LoginProfile is the console password of an IAM user or of the account
// root. The password is held only as a PHC-format argon2id hash.
type LoginProfile struct {
	UserName              string // the owner as stored; "" for the account root
	UserID                string // the owner's User.UserID; "" for the account root
	PasswordHash          string // argon2id, PHC string format
	PasswordResetRequired bool
	CreatedAt             time.Time
	PasswordChangedAt     time.Time
	PasswordLastUsed      time.Time // zero: never used
}

// LoginProfileStore holds login profiles, one per user at most, and one
// for the account root. Every Store implements it.
type LoginProfileStore interface {
	// CreateLoginProfile inserts p, checking its owner in the same
	// transaction as CreateCredential does (a user's profile needs the
	// user to exist under that name, in any case, with that UserID:
	// ErrNotFound otherwise; the stored UserName is the name as created).
	// ErrExists if the owner has a profile already.
	CreateLoginProfile(ctx context.Context, p LoginProfile) error
	// GetLoginProfile returns the profile of userName, in any case ("" for
	// the account root). ErrNotFound if there is none.
	GetLoginProfile(ctx context.Context, userName string) (LoginProfile, error)
	// UpdateLoginProfile atomically applies fn to the profile of userName
	// (fn must not change UserName or UserID). ErrNotFound if there is
	// none; fn's error is returned unchanged.
	UpdateLoginProfile(ctx context.Context, userName string, fn func(*LoginProfile) error) (LoginProfile, error)
	// DeleteLoginProfile removes the profile of userName. ErrNotFound if
	// there is none.
	DeleteLoginProfile(ctx context.Context, userName string) error
}
