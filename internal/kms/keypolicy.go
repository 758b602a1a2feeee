package kms

import (
	"context"
	"errors"
	"strings"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// defaultPolicyName is the only key policy name AWS KMS has.
const defaultPolicyName = "default"

// checkKeyPolicy validates a new key policy document: syntax and size,
// that every principal of this account exists, and — unless bypass — that
// the caller could still change the policy afterwards (AWS's lockout safety
// check).
func (s *Service) checkKeyPolicy(ctx context.Context, doc string, bypass bool) error {
	p, err := policy.Parse(doc, policy.KeyPolicy)
	var me *policy.MalformedError
	if errors.As(err, &me) {
		if me.TooLarge {
			return newError(ErrLimitExceeded, "%s", me.Message)
		}
		return newError(ErrMalformedPolicy, "%s", me.Message)
	}
	if err != nil {
		return err
	}
	for _, principal := range p.Principals() {
		if err := s.checkPrincipalExists(ctx, principal); err != nil {
			return err
		}
	}
	caller, ok := identity.From(ctx)
	if !ok {
		return ErrNoPrincipal
	}
	if bypass || caller.IsSystem() {
		return nil
	}
	r := policy.Request{
		Action:    "kms:PutKeyPolicy",
		Resource:  "*",
		Principal: policy.Principal{ARN: caller.ARN, AccountID: caller.AccountID, UserName: caller.UserName},
		Time:      s.now(),
	}
	if policy.LocksOut(p, r) {
		return newError(ErrMalformedPolicy, "The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}

// checkPrincipalExists refuses a principal of this account that does not
// exist: AWS KMS validates principals when a key policy is set.
func (s *Service) checkPrincipalExists(ctx context.Context, principal string) error {
	prefix := "arn:aws:iam::" + s.cfg.AccountID + ":user/"
	name, ok := strings.CutPrefix(principal, prefix)
	if !ok {
		return nil // "*", the account, other accounts: nothing to look up
	}
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:] // a user path
	}
	_, err := s.cfg.Store.GetUser(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return newError(ErrMalformedPolicy, "Policy contains a statement with one or more invalid principals.")
	}
	return err
}

// PutKeyPolicy replaces the key policy of key ref (key ID or ARN).
func (s *Service) PutKeyPolicy(ctx context.Context, ref, name, doc string, bypass bool) error {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "PutKeyPolicy"})
	if err != nil {
		return err
	}
	if name != "" && name != defaultPolicyName {
		return newError(ErrNotFound, "No such policy exists")
	}
	if err := s.checkKeyPolicy(ctx, doc, bypass); err != nil {
		return err
	}
	_, err = s.updateKey(ctx, k.ID, func(k *store.Key) error {
		k.Policy = doc
		return nil
	})
	return err
}

// GetKeyPolicy returns the key policy of key ref.
func (s *Service) GetKeyPolicy(ctx context.Context, ref, name string) (string, error) {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "GetKeyPolicy"})
	if err != nil {
		return "", err
	}
	if name != "" && name != defaultPolicyName {
		return "", newError(ErrNotFound, "No such policy exists")
	}
	return k.Policy, nil
}

// ListKeyPolicies lists the key policy names of key ref: always "default".
func (s *Service) ListKeyPolicies(ctx context.Context, ref string) ([]string, error) {
	if _, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "ListKeyPolicies"}); err != nil {
		return nil, err
	}
	return []string{defaultPolicyName}, nil
}
