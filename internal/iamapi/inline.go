package iamapi

import "context"

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

// inlineArgs reads UserName, PolicyName and, for PutUserPolicy,
// PolicyDocument.
func inlineArgs(req *request, withDoc bool) (name, pname, doc string, err error) {
	p := req.params
	name = p.req("UserName", ruleUserName)
	pname = p.req("PolicyName", rulePolicyName)
	if withDoc {
		doc = p.req("PolicyDocument", rulePolicyDoc)
	}
	return name, pname, doc, p.err()
}

func (h *Handler) putUserPolicy(ctx context.Context, req *request) (any, error) {
	name, pname, doc, err := inlineArgs(req, true)
	if err != nil {
		return nil, err
	}
	return nil, h.iam.PutUserPolicy(ctx, name, pname, doc)
}

func (h *Handler) getUserPolicy(ctx context.Context, req *request) (any, error) {
	name, pname, _, err := inlineArgs(req, false)
	if err != nil {
		return nil, err
	}
	up, err := h.iam.GetUserPolicy(ctx, name, pname)
	if err != nil {
		return nil, err
	}
	return getUserPolicyResult{UserName: up.UserName, PolicyName: up.PolicyName, PolicyDocument: urlEncode(up.Document)}, nil
}

func (h *Handler) deleteUserPolicy(ctx context.Context, req *request) (any, error) {
	name, pname, _, err := inlineArgs(req, false)
	if err != nil {
		return nil, err
	}
	return nil, h.iam.DeleteUserPolicy(ctx, name, pname)
}

func (h *Handler) listUserPolicies(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.req("UserName", ruleUserName)
	marker := p.opt("Marker", ruleMarker)
	limit := p.maxItems()
	if err := p.err(); err != nil {
		return nil, err
	}
	pg, err := h.iam.ListUserPolicies(ctx, name, marker, limit)
	if err != nil {
		return nil, err
	}
	res := listUserPoliciesResult{IsTruncated: pg.Truncated, Marker: pg.Marker}
	res.PolicyNames.Member = pg.Items
	return res, nil
}
