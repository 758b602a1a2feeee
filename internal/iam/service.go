package iam

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// Config holds a Service's dependencies.
type Config struct {
	Store     store.Store
	Keys      *accesskey.Keyring
	AccountID string
	// Now is the clock of creation dates and of policy conditions;
	// time.Now if nil.
	Now func() time.Time
	// OnUserChange, if set, is called after a user's policies change or the
	// user is deleted, with the user's name: the KMS service's
	// InvalidateUser, so that its cached identity policies follow at once.
	OnUserChange func(userName string)
}

// Service is the IAM core. It holds no state of its own beyond its
// Config, and is safe for concurrent use.
type Service struct{ cfg Config }

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// UserARN is the ARN of the user name at path.
func (s *Service) UserARN(path, name string) string {
	return "arn:aws:iam::" + s.cfg.AccountID + ":user" + path + name
}

// changed reports a change to a user's policies, or its deletion.
func (s *Service) changed(userName string) {
	if s.cfg.OnUserChange != nil {
		s.cfg.OnUserChange(userName)
	}
}

// caller returns the principal of ctx; a context without one is refused.
func caller(ctx context.Context) (identity.Principal, error) {
	p, ok := identity.From(ctx)
	if !ok {
		return identity.Principal{}, Errorf(AccessDenied, "The request carries no authenticated principal.")
	}
	return p, nil
}

// authorize decides whether the caller may perform action ("iam:CreateUser")
// on resource (a user's ARN). The account root and Trent itself may do
// everything; a user needs its identity policies to allow the call, as
// package policy evaluates them. cond holds extra condition keys and
// values, in pairs ("iam:PolicyARN", arn).
func (s *Service) authorize(ctx context.Context, action, resource string, cond ...string) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	if c.IsRoot() || c.IsSystem() {
		return nil
	}
	r := &policy.Request{
		Action:    action,
		Resource:  resource,
		Principal: policy.Principal{ARN: c.ARN, AccountID: c.AccountID, UserName: c.UserName},
		Time:      s.cfg.Now(),
	}
	r.Set("aws:userid", c.UserID)
	call := identity.CallFrom(ctx)
	r.Set("aws:SecureTransport", strconv.FormatBool(call.SecureTransport))
	if net.ParseIP(call.SourceIP) != nil {
		r.Set("aws:SourceIp", call.SourceIP)
	}
	for i := 0; i+1 < len(cond); i += 2 {
		r.Set(cond[i], cond[i+1])
	}
	var pols []*policy.Policy
	u, err := s.cfg.Store.GetUser(ctx, c.UserName)
	switch {
	case errors.Is(err, store.ErrNotFound), err == nil && u.UserID != c.UserID:
		// The caller's user is gone, or is another user of the same
		// name now: it has no policies.
	case err != nil:
		return err
	default:
		if pols, err = identityPolicies(u); err != nil {
			return err
		}
	}
	res := policy.Authorize(nil, pols, nil, r)
	if res.Decision == policy.Allow {
		return nil
	}
	return Errorf(AccessDenied, "%s", policy.DeniedMessage(r, res))
}

// targetUser finds the user an action names, in any case, and authorizes
// the caller for action on it; only then does it report a user that does
// not exist, so that an unauthorized caller cannot probe for names.
func (s *Service) targetUser(ctx context.Context, action, name string, cond ...string) (store.User, error) {
	u, err := s.cfg.Store.GetUser(ctx, name)
	missing := errors.Is(err, store.ErrNotFound)
	if err != nil && !missing {
		return store.User{}, err
	}
	arn := u.ARN
	if missing {
		arn = s.UserARN("/", name)
	}
	if err := s.authorize(ctx, action, arn, cond...); err != nil {
		return store.User{}, err
	}
	if missing {
		return store.User{}, noSuchUser(name)
	}
	return u, nil
}

// updateUser applies fn to the user u in one store transaction, and reports
// the change. A user deleted since u was read, or replaced by another of
// the same name, is NoSuchEntity: a change never lands on a user the
// caller was not authorized for.
func (s *Service) updateUser(ctx context.Context, u store.User, fn func(*store.User) error) error {
	_, err := s.cfg.Store.UpdateUser(ctx, u.Name, func(x *store.User) error {
		if x.UserID != u.UserID {
			return noSuchUser(u.Name)
		}
		return fn(x)
	})
	return s.updated(err, u.Name)
}

// updated finishes a change of a user's policies: it reports the change,
// and maps a user deleted meanwhile to NoSuchEntity.
func (s *Service) updated(err error, name string) error {
	if err == nil {
		s.changed(name)
	}
	if errors.Is(err, store.ErrNotFound) {
		return noSuchUser(name)
	}
	return err
}

// Clip bounds client text echoed in a message to 256 characters.
func Clip(s string) string {
	const limit = 256
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit]) + "..."
}
