package iam

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// CreateUserInput is CreateUser's request.
type CreateUserInput struct {
	UserName string
	Path     string // "/" if empty
	// TagsOrBoundary says that the request set Tags or
	// PermissionsBoundary, which Trent does not keep: InvalidInput.
	TagsOrBoundary bool
}

// newUserID returns a unique ID in IAM's form: "AIDA" and 16 characters of
// base32.
func newUserID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return "AIDA" + base32.StdEncoding.EncodeToString(b)
}

// CreateUser creates a user. EntityAlreadyExists if a user of that name,
// in any case, exists: the store's unique index decides, so that of two
// nodes creating "Bob" and "bob" at once exactly one succeeds.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (store.User, error) {
	path := in.Path
	if path == "" {
		path = "/"
	}
	arn := s.UserARN(path, in.UserName)
	if err := s.authorize(ctx, "iam:CreateUser", arn); err != nil {
		return store.User{}, err
	}
	if in.TagsOrBoundary {
		return store.User{}, Errorf(InvalidInput, "Trent does not support tags or permissions boundaries on users.")
	}
	u := store.User{Name: in.UserName, Path: path, ARN: arn, CreatedAt: s.cfg.Now().UTC()}
	for attempt := 0; ; attempt++ {
		u.UserID = newUserID()
		err := s.cfg.Store.CreateUser(ctx, u)
		if !errors.Is(err, store.ErrExists) {
			if err != nil {
				return store.User{}, err
			}
			return u, nil
		}
		// The name or the UserID is taken. Only a taken name is
		// visible; an ID collision (80 random bits) gets a new ID.
		if _, gerr := s.cfg.Store.GetUser(ctx, in.UserName); gerr == nil || attempt >= 3 {
			return store.User{}, userExists(in.UserName)
		}
	}
}

// GetUser returns the user name, or the caller when name is empty. For the
// account root it returns a User with only UserID (the account ID), ARN
// and CreatedAt set, as IAM answers.
func (s *Service) GetUser(ctx context.Context, name string) (store.User, error) {
	c, err := caller(ctx)
	if err != nil {
		return store.User{}, err
	}
	if name == "" && c.IsRoot() {
		created, err := s.rootCreated(ctx)
		if err != nil {
			return store.User{}, err
		}
		return store.User{UserID: s.cfg.AccountID, ARN: c.ARN, CreatedAt: created}, nil
	}
	if name == "" {
		name = c.UserName
	}
	return s.targetUser(ctx, "iam:GetUser", name)
}

// ListUsers lists the users whose path starts with prefix ("/" if empty),
// by name.
func (s *Service) ListUsers(ctx context.Context, prefix, marker string, limit int) (Page[store.User], error) {
	if prefix == "" {
		prefix = "/"
	}
	if err := s.authorize(ctx, "iam:ListUsers", s.UserARN(prefix, "")); err != nil {
		return Page[store.User]{}, err
	}
	after, err := decodeMarker("users", marker)
	if err != nil {
		return Page[store.User]{}, err
	}
	const batch = 500
	var out []store.User
	for len(out) <= limit {
		page, err := s.cfg.Store.ListUsers(ctx, after, batch)
		if err != nil {
			return Page[store.User]{}, err
		}
		for _, u := range page {
			if strings.HasPrefix(u.Path, prefix) {
				out = append(out, u)
			}
		}
		if len(page) < batch {
			break
		}
		after = page[len(page)-1].Name
	}
	res := Page[store.User]{Items: out}
	if len(out) > limit {
		res.Items = out[:limit]
		res.Truncated, res.Marker = true, encodeMarker("users", out[limit-1].Name)
	}
	return res, nil
}

// DeleteUser deletes a user that has no access keys and no policies. The
// store checks and deletes in one transaction: a key created concurrently,
// on any node, either makes DeleteUser fail with DeleteConflict or fails
// itself with NoSuchEntity.
func (s *Service) DeleteUser(ctx context.Context, name string) error {
	u, err := s.targetUser(ctx, "iam:DeleteUser", name)
	if err != nil {
		return err
	}
	err = s.cfg.Store.DeleteUser(ctx, u.Name)
	switch {
	case errors.Is(err, store.ErrHasCredentials):
		return Errorf(DeleteConflict, "Cannot delete entity, must delete access keys first.")
	case errors.Is(err, store.ErrHasPolicies):
		return Errorf(DeleteConflict, "Cannot delete entity, must delete policies first.")
	case errors.Is(err, store.ErrHasAttachedPolicies):
		return Errorf(DeleteConflict, "Cannot delete entity, must detach all policies first.")
	case errors.Is(err, store.ErrHasLoginProfile):
		return Errorf(DeleteConflict, "Cannot delete entity, must delete login profile first.")
	}
	return s.updated(err, u.Name)
}

// rootCreated is the account root's CreateDate: fixed the first time it is
// asked for, to the creation of the root's oldest access key.
func (s *Service) rootCreated(ctx context.Context) (time.Time, error) {
	first := s.cfg.Now().UTC()
	keys, err := s.cfg.Keys.List(ctx, "")
	if err != nil {
		return time.Time{}, err
	}
	for _, k := range keys {
		if k.CreatedAt.Before(first) {
			first = k.CreatedAt
		}
	}
	v, err := s.cfg.Store.InitMeta(ctx, "iam-root-created", []byte(first.UTC().Format(time.RFC3339Nano)))
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339Nano, string(v))
}
