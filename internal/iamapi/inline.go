package iamapi

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

type getUserPolicyResult struct {
	UserName       string
	PolicyName     string
	PolicyDocument string // URL-encoded, as IAM sends it
}

type listUserPoliciesResult struct {
	PolicyNames members[string]
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// inlineArgs reads UserName and PolicyName and finds the user, authorized
// for action.
func (h *Handler) inlineArgs(ctx context.Context, req *request, action string, withDoc bool) (store.User, string, error) {
	p := req.params
	name := p.req("UserName", ruleUserName)
	pname := p.req("PolicyName", rulePolicyName)
	if withDoc {
		p.req("PolicyDocument", rulePolicyDoc)
	}
	if err := p.err(); err != nil {
		return store.User{}, "", err
	}
	u, err := h.targetUser(ctx, req, action, name)
	return u, pname, err
}

func (h *Handler) putUserPolicy(ctx context.Context, req *request) (any, error) {
	u, pname, err := h.inlineArgs(ctx, req, "iam:PutUserPolicy", true)
	if err != nil {
		return nil, err
	}
	doc := req.params.form.Get("PolicyDocument")
	if _, err := policy.Parse(doc, policy.IdentityPolicy); err != nil {
		var me *policy.MalformedError
		if errors.As(err, &me) {
			return nil, fail("MalformedPolicyDocument", me.Message)
		}
		return nil, err
	}
	_, err = h.cfg.Store.UpdateUser(ctx, u.Name, func(x *store.User) error {
		next := maps.Clone(x.InlinePolicies)
		if next == nil {
			next = make(map[string]string, 1)
		}
		next[pname] = doc
		if inlineSize(next) > maxInlineChars {
			return fail("LimitExceeded", "Maximum policy size of "+strconv.Itoa(maxInlineChars)+" bytes exceeded for user "+x.Name)
		}
		x.InlinePolicies = next
		return nil
	})
	return nil, h.updated(err, u.Name)
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

func (h *Handler) getUserPolicy(ctx context.Context, req *request) (any, error) {
	u, pname, err := h.inlineArgs(ctx, req, "iam:GetUserPolicy", false)
	if err != nil {
		return nil, err
	}
	doc, ok := u.InlinePolicies[pname]
	if !ok {
		return nil, noSuchUserPolicy(pname)
	}
	return getUserPolicyResult{UserName: u.Name, PolicyName: pname, PolicyDocument: urlEncode(doc)}, nil
}

func (h *Handler) deleteUserPolicy(ctx context.Context, req *request) (any, error) {
	u, pname, err := h.inlineArgs(ctx, req, "iam:DeleteUserPolicy", false)
	if err != nil {
		return nil, err
	}
	_, err = h.cfg.Store.UpdateUser(ctx, u.Name, func(x *store.User) error {
		if _, ok := x.InlinePolicies[pname]; !ok {
			return noSuchUserPolicy(pname)
		}
		delete(x.InlinePolicies, pname)
		return nil
	})
	return nil, h.updated(err, u.Name)
}

func (h *Handler) listUserPolicies(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.req("UserName", ruleUserName)
	marker := p.opt("Marker", ruleMarker)
	limit := p.maxItems()
	if err := p.err(); err != nil {
		return nil, err
	}
	u, err := h.targetUser(ctx, req, "iam:ListUserPolicies", name)
	if err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(u.InlinePolicies))
	pg, err := paginate("inline", names, func(s string) string { return s }, marker, limit)
	if err != nil {
		return nil, err
	}
	res := listUserPoliciesResult{IsTruncated: pg.truncated, Marker: pg.marker}
	res.PolicyNames.Member = pg.items
	return res, nil
}
