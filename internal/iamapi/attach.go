package iamapi

import "context"

type attachedPolicyXML struct {
	PolicyName string
	PolicyArn  string
}

type listAttachedResult struct {
	AttachedPolicies members[attachedPolicyXML]
	IsTruncated      bool
	Marker           string `xml:",omitempty"`
}

// attachArgs reads UserName and PolicyArn.
func attachArgs(req *request) (name, arn string, err error) {
	p := req.params
	name = p.req("UserName", ruleUserName)
	arn = p.req("PolicyArn", rulePolicyARN)
	return name, arn, p.err()
}

func (h *Handler) attachUserPolicy(ctx context.Context, req *request) (any, error) {
	name, arn, err := attachArgs(req)
	if err != nil {
		return nil, err
	}
	return nil, h.iam.AttachUserPolicy(ctx, name, arn)
}

func (h *Handler) detachUserPolicy(ctx context.Context, req *request) (any, error) {
	name, arn, err := attachArgs(req)
	if err != nil {
		return nil, err
	}
	return nil, h.iam.DetachUserPolicy(ctx, name, arn)
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
	pg, err := h.iam.ListAttachedUserPolicies(ctx, name, prefix, marker, limit)
	if err != nil {
		return nil, err
	}
	res := listAttachedResult{IsTruncated: pg.Truncated, Marker: pg.Marker}
	for _, a := range pg.Items {
		res.AttachedPolicies.Member = append(res.AttachedPolicies.Member, attachedPolicyXML{PolicyName: a.PolicyName, PolicyArn: a.PolicyARN})
	}
	return res, nil
}
