package iamapi

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/trent-kms/trent/internal/store"
)

var errUnknownManaged = errors.New("not a managed policy Trent ships")

// storedPolicyError is a user's stored policy that cannot be enforced: an
// internal failure, answered as such.
type storedPolicyError struct {
	user, policy string
	err          error
}

func (e *storedPolicyError) Error() string {
	return "iamapi: policy " + e.policy + " of user " + e.user + ": " + e.err.Error()
}

func (e *storedPolicyError) Unwrap() error { return e.err }

func (h *Handler) attachUserPolicy(ctx context.Context, req *request) (any, error) {
	u, arn, err := h.attachArgs(ctx, req, "iam:AttachUserPolicy")
	if err != nil {
		return nil, err
	}
	if _, _, ok := managedName(arn); !ok {
		return nil, notAttachable(arn)
	}
	_, err = h.cfg.Store.UpdateUser(ctx, u.Name, func(x *store.User) error {
		if slices.Contains(x.AttachedPolicies, arn) {
			return nil // attaching twice is not an error in IAM
		}
		if len(x.AttachedPolicies) >= maxAttachedPerUser {
			return fail("LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10")
		}
		x.AttachedPolicies = append(x.AttachedPolicies, arn)
		return nil
	})
	return nil, h.updated(err, u.Name)
}

func (h *Handler) detachUserPolicy(ctx context.Context, req *request) (any, error) {
	u, arn, err := h.attachArgs(ctx, req, "iam:DetachUserPolicy")
	if err != nil {
		return nil, err
	}
	_, err = h.cfg.Store.UpdateUser(ctx, u.Name, func(x *store.User) error {
		i := slices.Index(x.AttachedPolicies, arn)
		if i < 0 {
			return fail("NoSuchEntity", "Policy "+arn+" was not found.")
		}
		x.AttachedPolicies = slices.Delete(x.AttachedPolicies, i, i+1)
		return nil
	})
	return nil, h.updated(err, u.Name)
}

func (h *Handler) listAttachedUserPolicies(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.req("UserName", ruleUserName)
	prefix := p.opt("PathPrefix", rulePathPrefix)
	marker := p.opt("Marker", ruleMarker)
	limit := p.maxItems()
	if err := p.err(); err != nil {
		return nil, err
	}
	u, err := h.targetUser(ctx, req, "iam:ListAttachedUserPolicies", name)
	if err != nil {
		return nil, err
	}
	var all []attachedPolicyXML
	if prefix == "" {
		prefix = "/"
	}
	for _, arn := range u.AttachedPolicies {
		path, pname, ok := managedName(arn)
		if ok && strings.HasPrefix(path, prefix) {
			all = append(all, attachedPolicyXML{PolicyName: pname, PolicyArn: arn})
		}
	}
	slices.SortFunc(all, func(a, b attachedPolicyXML) int { return strings.Compare(a.PolicyArn, b.PolicyArn) })
	pg, err := paginate("attached", all, func(a attachedPolicyXML) string { return a.PolicyArn }, marker, limit)
	if err != nil {
		return nil, err
	}
	res := listAttachedResult{IsTruncated: pg.truncated, Marker: pg.marker}
	res.AttachedPolicies.Member = pg.items
	return res, nil
}

// updated finishes an UpdateUser of a user's policies: it reports the
// change, and maps a user deleted meanwhile (impossible while h.mu is held,
// but the store says so) to NoSuchEntity.
func (h *Handler) updated(err error, name string) error {
	if err == nil {
		h.changed(name)
	}
	if errors.Is(err, store.ErrNotFound) {
		return noSuchUser(name)
	}
	return err
}
