package iam

import (
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/login"
	"github.com/trent-kms/trent/internal/store"
)

// Console passwords: a user's login profile. The passwords are checked
// against the account password policy, which in Trent is always AWS's
// default (login.DefaultPolicy), and kept only as argon2id hashes. Their
// errors never quote a password.

// PasswordPolicy is the account's password policy.
func (s *Service) PasswordPolicy() login.Policy { return login.DefaultPolicy }

func noSuchLoginProfile(name string) *Error {
	return Errorf(NoSuchEntity, "Login Profile for User %s cannot be found.", name)
}

// checkPassword is PasswordPolicyViolation unless password meets the
// policy for the user name.
func (s *Service) checkPassword(password, name string) error {
	if err := s.PasswordPolicy().Check(password, s.cfg.AccountID, name); err != nil {
		return Errorf(PasswordPolicyViolation, "%s", login.PolicyViolationMessage)
	}
	return nil
}

// profileUser resolves the UserName of a login profile action — the
// caller's own user when empty, which the account root has not — and
// authorizes the caller for action on it.
func (s *Service) profileUser(ctx context.Context, action, name string) (store.User, error) {
	if name == "" {
		c, err := caller(ctx)
		if err != nil {
			return store.User{}, err
		}
		if c.UserName == "" {
			return store.User{}, Errorf(ValidationError, "Must specify userName when calling with non-User credentials")
		}
		name = c.UserName
	}
	return s.targetUser(ctx, action, name)
}

// CreateLoginProfileInput is CreateLoginProfile's request.
type CreateLoginProfileInput struct {
	UserName              string // the caller's own user when empty
	Password              string
	PasswordResetRequired bool
}

// CreateLoginProfile gives a user a console password. EntityAlreadyExists
// if it has one; the store decides, so that of two concurrent creations
// one fails.
func (s *Service) CreateLoginProfile(ctx context.Context, in CreateLoginProfileInput) (store.LoginProfile, error) {
	u, err := s.profileUser(ctx, "iam:CreateLoginProfile", in.UserName)
	if err != nil {
		return store.LoginProfile{}, err
	}
	if err := s.checkPassword(in.Password, u.Name); err != nil {
		return store.LoginProfile{}, err
	}
	now := s.cfg.Now().UTC()
	p := store.LoginProfile{
		UserName: u.Name, UserID: u.UserID, PasswordHash: login.Hash(in.Password),
		PasswordResetRequired: in.PasswordResetRequired, CreatedAt: now, PasswordChangedAt: now,
	}
	err = s.cfg.Store.CreateLoginProfile(ctx, p)
	switch {
	case errors.Is(err, store.ErrExists):
		return store.LoginProfile{}, Errorf(EntityAlreadyExists, "Login Profile for user %s already exists.", u.Name)
	case errors.Is(err, store.ErrNotFound):
		return store.LoginProfile{}, noSuchUser(u.Name) // deleted, or replaced, since targetUser
	case err != nil:
		return store.LoginProfile{}, err
	}
	return p, nil
}

// GetLoginProfile returns a user's login profile (its hash is not for the
// caller: only the console's sign-in reads it).
func (s *Service) GetLoginProfile(ctx context.Context, name string) (store.LoginProfile, error) {
	u, err := s.profileUser(ctx, "iam:GetLoginProfile", name)
	if err != nil {
		return store.LoginProfile{}, err
	}
	p, err := s.cfg.Store.GetLoginProfile(ctx, u.Name)
	if errors.Is(err, store.ErrNotFound) || err == nil && p.UserID != u.UserID {
		return store.LoginProfile{}, noSuchLoginProfile(u.Name)
	}
	return p, err
}

// UpdateLoginProfileInput is UpdateLoginProfile's request: nil fields are
// left as they are.
type UpdateLoginProfileInput struct {
	UserName              string
	Password              *string
	PasswordResetRequired *bool
}

// UpdateLoginProfile sets a user's password, or whether it must change it
// at its next sign-in, or both.
func (s *Service) UpdateLoginProfile(ctx context.Context, in UpdateLoginProfileInput) error {
	u, err := s.targetUser(ctx, "iam:UpdateLoginProfile", in.UserName)
	if err != nil {
		return err
	}
	var hash string
	if in.Password != nil {
		if err := s.checkPassword(*in.Password, u.Name); err != nil {
			return err
		}
		hash = login.Hash(*in.Password)
	}
	return s.updateProfile(ctx, u, func(p *store.LoginProfile) error {
		if hash != "" {
			p.PasswordHash, p.PasswordChangedAt = hash, s.cfg.Now().UTC()
		}
		if in.PasswordResetRequired != nil {
			p.PasswordResetRequired = *in.PasswordResetRequired
		}
		return nil
	})
}

// updateProfile applies fn to the login profile of u in one store
// transaction; a profile of another user of u's name is not found.
func (s *Service) updateProfile(ctx context.Context, u store.User, fn func(*store.LoginProfile) error) error {
	_, err := s.cfg.Store.UpdateLoginProfile(ctx, u.Name, func(p *store.LoginProfile) error {
		if p.UserID != u.UserID {
			return noSuchLoginProfile(u.Name)
		}
		return fn(p)
	})
	if errors.Is(err, store.ErrNotFound) {
		return noSuchLoginProfile(u.Name)
	}
	return err
}

// DeleteLoginProfile removes a user's console password.
func (s *Service) DeleteLoginProfile(ctx context.Context, name string) error {
	u, err := s.profileUser(ctx, "iam:DeleteLoginProfile", name)
	if err != nil {
		return err
	}
	p, err := s.cfg.Store.GetLoginProfile(ctx, u.Name)
	if err == nil && p.UserID != u.UserID {
		err = store.ErrNotFound // a profile left by another user of the name
	}
	if err == nil {
		err = s.cfg.Store.DeleteLoginProfile(ctx, u.Name)
	}
	if errors.Is(err, store.ErrNotFound) {
		return noSuchLoginProfile(u.Name)
	}
	return err
}
