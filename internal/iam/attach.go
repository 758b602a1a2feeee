package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/trent-kms/trent/internal/store"
)

// maxAttachedPerUser is IAM's default PoliciesPerUser quota.
const maxAttachedPerUser = 10

// AttachedPolicy is a managed policy attached to a user.
type AttachedPolicy struct {
	PolicyName string
	PolicyARN  string
}

// attachTarget checks a PolicyArn's form and finds the user, authorized
// for action with iam:PolicyARN set.
func (s *Service) attachTarget(ctx context.Context, action, name, arn string) (store.User, error) {
	if !validARN(arn) {
		return store.User{}, Errorf(InvalidInput, "ARN %s is not valid.", Clip(arn))
	}
	return s.targetUser(ctx, action, name, "iam:PolicyARN", arn)
}

// AttachUserPolicy attaches a managed policy Trent ships to a user.
// Attaching one twice is not an error, as in IAM.
func (s *Service) AttachUserPolicy(ctx context.Context, name, arn string) error {
	u, err := s.attachTarget(ctx, "iam:AttachUserPolicy", name, arn)
	if err != nil {
		return err
	}
	if _, _, ok := managedName(arn); !ok {
		return notAttachable(arn)
	}
	return s.updateUser(ctx, u, func(x *store.User) error {
		if slices.Contains(x.AttachedPolicies, arn) {
			return nil
		}
		if len(x.AttachedPolicies) >= maxAttachedPerUser {
			return Errorf(LimitExceeded, "Cannot exceed quota for PoliciesPerUser: 10")
		}
		x.AttachedPolicies = append(x.AttachedPolicies, arn)
		return nil
	})
}

// DetachUserPolicy detaches a managed policy from a user.
func (s *Service) DetachUserPolicy(ctx context.Context, name, arn string) error {
	u, err := s.attachTarget(ctx, "iam:DetachUserPolicy", name, arn)
	if err != nil {
		return err
	}
	return s.updateUser(ctx, u, func(x *store.User) error {
		i := slices.Index(x.AttachedPolicies, arn)
		if i < 0 {
			return Errorf(NoSuchEntity, "Policy %s was not found.", arn)
		}
		x.AttachedPolicies = slices.Delete(x.AttachedPolicies, i, i+1)
		return nil
	})
}

// ListAttachedUserPolicies lists a user's managed policies whose path
// starts with prefix ("/" if empty), by ARN.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, name, prefix, marker string, limit int) (Page[AttachedPolicy], error) {
	u, err := s.targetUser(ctx, "iam:ListAttachedUserPolicies", name)
	if err != nil {
		return Page[AttachedPolicy]{}, err
	}
	if prefix == "" {
		prefix = "/"
	}
	var all []AttachedPolicy
	for _, arn := range u.AttachedPolicies {
		path, pname, ok := managedName(arn)
		if ok && strings.HasPrefix(path, prefix) {
			all = append(all, AttachedPolicy{PolicyName: pname, PolicyARN: arn})
		}
	}
	slices.SortFunc(all, func(a, b AttachedPolicy) int { return strings.Compare(a.PolicyARN, b.PolicyARN) })
	return paginate("attached", all, func(a AttachedPolicy) string { return a.PolicyARN }, marker, limit)
}
