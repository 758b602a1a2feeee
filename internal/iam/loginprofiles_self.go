package iam

import (
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/login"
	"github.com/trent-kms/trent/internal/store"
)

// ChangePassword sets the caller's own console password, given its
// current one, and clears PasswordResetRequired: the step a user whose
// password an administrator set takes at its first sign-in. Only an IAM
// user has one to change (InvalidUserType for the root, whose password
// only `trent admin root-password` sets); it needs iam:ChangePassword on
// itself. A wrong old password is AccessDenied.
func (s *Service) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	if c.UserName == "" {
		return Errorf(InvalidUserType, "Only IAM users can change their own password.")
	}
	if err := s.authorize(ctx, "iam:ChangePassword", c.ARN); err != nil {
		return err
	}
	u := store.User{Name: c.UserName, UserID: c.UserID}
	p, err := s.cfg.Store.GetLoginProfile(ctx, u.Name)
	if errors.Is(err, store.ErrNotFound) || err == nil && p.UserID != u.UserID {
		return noSuchLoginProfile(u.Name)
	}
	if err != nil {
		return err
	}
	ok, err := login.Verify(oldPassword, p.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(AccessDenied, "The old password is incorrect.")
	}
	if err := s.checkPassword(newPassword, u.Name); err != nil {
		return err
	}
	hash := login.Hash(newPassword)
	return s.updateProfile(ctx, u, func(x *store.LoginProfile) error {
		if x.PasswordHash != p.PasswordHash {
			// Changed since the old password was checked: that check
			// no longer holds.
			return Errorf(AccessDenied, "The old password is incorrect.")
		}
		x.PasswordHash, x.PasswordChangedAt, x.PasswordResetRequired = hash, s.cfg.Now().UTC(), false
		return nil
	})
}

// GetAccountPasswordPolicy returns the account password policy. With the
// default policy, which is all Trent has, it is NoSuchEntity, as IAM
// answers for an account that has set none.
func (s *Service) GetAccountPasswordPolicy(ctx context.Context) (login.Policy, error) {
	if err := s.authorize(ctx, "iam:GetAccountPasswordPolicy", "*"); err != nil {
		return login.Policy{}, err
	}
	p := s.PasswordPolicy()
	if p.IsDefault() {
		return login.Policy{}, Errorf(NoSuchEntity, "The Password Policy with domain name %s cannot be found.", s.cfg.AccountID)
	}
	return p, nil
}
