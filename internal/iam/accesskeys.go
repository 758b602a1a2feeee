package iam

import (
	"context"
	"errors"
	"strconv"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/store"
)

// MaxKeysPerUser is IAM's AccessKeysPerUser quota, which Trent applies to
// the account root as well.
const MaxKeysPerUser = 2

// AccessKey is a new access key, with its secret: only CreateAccessKey
// returns one.
type AccessKey struct {
	accesskey.Info
	SecretAccessKey string
}

// owner resolves the UserName of an access key action — the caller itself
// when empty — and authorizes the caller for action on it.
func (s *Service) owner(ctx context.Context, action, name string) (accesskey.Owner, error) {
	if name == "" {
		c, err := caller(ctx)
		if err != nil {
			return accesskey.Owner{}, err
		}
		if err := s.authorize(ctx, action, c.ARN); err != nil {
			return accesskey.Owner{}, err
		}
		return accesskey.Owner{ARN: c.ARN, UserName: c.UserName, UserID: c.UserID}, nil
	}
	u, err := s.targetUser(ctx, action, name)
	if err != nil {
		return accesskey.Owner{}, err
	}
	return accesskey.Owner{ARN: u.ARN, UserName: u.Name, UserID: u.UserID}, nil
}

// CreateAccessKey creates an access key for the user name, or for the
// caller when name is empty. The store checks the quota and that the user
// still exists, under a lock on the user, in the transaction that inserts:
// LimitExceeded or NoSuchEntity however many nodes race.
func (s *Service) CreateAccessKey(ctx context.Context, name string) (AccessKey, error) {
	o, err := s.owner(ctx, "iam:CreateAccessKey", name)
	if err != nil {
		return AccessKey{}, err
	}
	info, secret, err := s.cfg.Keys.Create(ctx, o, MaxKeysPerUser, s.cfg.Now())
	switch {
	case errors.Is(err, store.ErrLimitExceeded):
		return AccessKey{}, Errorf(LimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %s", strconv.Itoa(MaxKeysPerUser))
	case errors.Is(err, store.ErrNotFound):
		// Deleted since targetUser found it (or, for a caller without a
		// UserName, replaced): the caller is told what it asked about.
		return AccessKey{}, noSuchUser(o.UserName)
	case err != nil:
		return AccessKey{}, err
	}
	return AccessKey{Info: info, SecretAccessKey: secret}, nil
}

// ListAccessKeys lists the access keys of the user name, or of the
// caller, by ID.
func (s *Service) ListAccessKeys(ctx context.Context, name, marker string, limit int) (Page[accesskey.Info], error) {
	o, err := s.owner(ctx, "iam:ListAccessKeys", name)
	if err != nil {
		return Page[accesskey.Info]{}, err
	}
	keys, err := s.cfg.Keys.List(ctx, o.UserName)
	if err != nil {
		return Page[accesskey.Info]{}, err
	}
	return paginate("keys", keys, func(k accesskey.Info) string { return k.AccessKeyID }, marker, limit)
}

// ownKey returns the access key id after authorizing the caller for action
// on its owner, the user name (or the caller); a key of anyone but that
// owner is not found.
func (s *Service) ownKey(ctx context.Context, action, name, id string) error {
	o, err := s.owner(ctx, action, name)
	if err != nil {
		return err
	}
	k, err := s.cfg.Keys.Get(ctx, id)
	if errors.Is(err, accesskey.ErrNotFound) || err == nil && k.UserName != o.UserName {
		return noSuchAccessKey(id)
	}
	return err
}

// UpdateAccessKey sets the status of an access key: accesskey.Active or
// accesskey.Inactive.
func (s *Service) UpdateAccessKey(ctx context.Context, name, id, status string) error {
	if err := s.ownKey(ctx, "iam:UpdateAccessKey", name, id); err != nil {
		return err
	}
	err := s.cfg.Keys.SetStatus(ctx, id, status)
	if errors.Is(err, accesskey.ErrNotFound) {
		return noSuchAccessKey(id)
	}
	return err
}

// DeleteAccessKey deletes an access key.
func (s *Service) DeleteAccessKey(ctx context.Context, name, id string) error {
	if err := s.ownKey(ctx, "iam:DeleteAccessKey", name, id); err != nil {
		return err
	}
	err := s.cfg.Keys.Delete(ctx, id)
	if errors.Is(err, accesskey.ErrNotFound) {
		return noSuchAccessKey(id)
	}
	return err
}

// CallerIdentity is GetCallerIdentity's answer.
type CallerIdentity struct {
	ARN     string
	UserID  string // the user's ID, or the account ID for the root
	Account string
}

// GetCallerIdentity answers who signed the request. It needs no
// permission: AWS answers it even when a policy denies it explicitly.
func (s *Service) GetCallerIdentity(ctx context.Context) (CallerIdentity, error) {
	c, err := caller(ctx)
	if err != nil {
		return CallerIdentity{}, err
	}
	id := c.UserID
	if c.IsRoot() {
		id = c.AccountID
	}
	return CallerIdentity{ARN: c.ARN, UserID: id, Account: c.AccountID}, nil
}
