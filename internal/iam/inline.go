package iam

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"unicode"

	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// maxInlineChars is IAM's quota on the aggregate size of a user's inline
// policies, counted without white space.
const maxInlineChars = 2048

// UserPolicy is one of a user's inline policies.
type UserPolicy struct {
	UserName   string // as created
	PolicyName string
	Document   string
}

// PutUserPolicy adds or replaces an inline policy of a user.
func (s *Service) PutUserPolicy(ctx context.Context, name, policyName, doc string) error {
	u, err := s.targetUser(ctx, "iam:PutUserPolicy", name)
	if err != nil {
		return err
	}
	if _, err := policy.Parse(doc, policy.IdentityPolicy); err != nil {
		var me *policy.MalformedError
		if errors.As(err, &me) {
			return Errorf(MalformedPolicyDocument, "%s", me.Message)
		}
		return err
	}
	return s.updateUser(ctx, u, func(x *store.User) error {
		next := maps.Clone(x.InlinePolicies)
		if next == nil {
			next = make(map[string]string, 1)
		}
		next[policyName] = doc
		if inlineSize(next) > maxInlineChars {
			return Errorf(LimitExceeded, "Maximum policy size of %s bytes exceeded for user %s", strconv.Itoa(maxInlineChars), x.Name)
		}
		x.InlinePolicies = next
		return nil
	})
}

// inlineSize is the size IAM's quota counts: characters other than white
// space, over every document.
func inlineSize(docs map[string]string) int {
	n := 0
	for _, d := range docs {
		for _, r := range d {
			if !unicode.IsSpace(r) {
				n++
			}
		}
	}
	return n
}

// GetUserPolicy returns an inline policy of a user.
func (s *Service) GetUserPolicy(ctx context.Context, name, policyName string) (UserPolicy, error) {
	u, err := s.targetUser(ctx, "iam:GetUserPolicy", name)
	if err != nil {
		return UserPolicy{}, err
	}
	doc, ok := u.InlinePolicies[policyName]
	if !ok {
		return UserPolicy{}, noSuchUserPolicy(policyName)
	}
	return UserPolicy{UserName: u.Name, PolicyName: policyName, Document: doc}, nil
}

// DeleteUserPolicy deletes an inline policy of a user.
func (s *Service) DeleteUserPolicy(ctx context.Context, name, policyName string) error {
	u, err := s.targetUser(ctx, "iam:DeleteUserPolicy", name)
	if err != nil {
		return err
	}
	return s.updateUser(ctx, u, func(x *store.User) error {
		if _, ok := x.InlinePolicies[policyName]; !ok {
			return noSuchUserPolicy(policyName)
		}
		delete(x.InlinePolicies, policyName)
		return nil
	})
}

// ListUserPolicies lists the names of a user's inline policies, sorted.
func (s *Service) ListUserPolicies(ctx context.Context, name, marker string, limit int) (Page[string], error) {
	u, err := s.targetUser(ctx, "iam:ListUserPolicies", name)
	if err != nil {
		return Page[string]{}, err
	}
	names := slices.Sorted(maps.Keys(u.InlinePolicies))
	return paginate("inline", names, func(s string) string { return s }, marker, limit)
}
