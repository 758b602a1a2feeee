package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/policy"
)

// lookupAction is the permission the event history needs, as CloudTrail's
// console needs it.
const lookupAction = "cloudtrail:LookupEvents"

// LookupAuthorizer, when Config.Audit implements it, decides who may read
// the event history (the server can evaluate a principal's identity
// policies directly). Without it the console evaluates them itself, from
// what the IAM API tells the user about their own policies.
type LookupAuthorizer interface {
	// AuthorizeLookup returns nil if p may call cloudtrail:LookupEvents,
	// else the refusal to show.
	AuthorizeLookup(ctx context.Context, p identity.Principal) error
}

// mayLookupEvents allows the event history to the account root and to
// users whose identity policies allow cloudtrail:LookupEvents. The
// console reads a user's policies through the IAM API as that user
// (ListAttachedUserPolicies, ListUserPolicies, GetUserPolicy): a user who
// may not read their own policies is refused, with the message IAM gives
// when no identity-based policy allows the action.
func (c *Console) mayLookupEvents(r *http.Request, ss *session) error {
	if la, ok := c.cfg.Audit.(LookupAuthorizer); ok {
		return la.AuthorizeLookup(r.Context(), ss.principal)
	}
	p := ss.principal
	if p.IsRoot() {
		return nil
	}
	req := &policy.Request{Action: lookupAction, Resource: "*", Time: time.Now(),
		Principal: policy.Principal{ARN: p.ARN, AccountID: p.AccountID, UserName: p.UserName}}
	pols, ok := c.ownPolicies(r, ss)
	if !ok {
		pols = nil // a policy that cannot be read might deny: refuse
	}
	res := policy.Authorize(nil, pols, nil, req)
	if res.Decision == policy.Allow {
		return nil
	}
	return &pageError{Code: "AccessDenied", Message: policy.DeniedMessage(req, res)}
}

// ownPolicies returns the session user's identity policies; ok is false
// unless IAM let the user read every one of them.
func (c *Console) ownPolicies(r *http.Request, ss *session) (pols []*policy.Policy, ok bool) {
	name := ss.principal.UserName
	var attached struct {
		Policies []struct{ PolicyArn string } `xml:"AttachedPolicies>member"`
	}
	var inline struct {
		Names []string `xml:"PolicyNames>member"`
	}
	if c.iam(r, ss, "ListAttachedUserPolicies", url.Values{"UserName": {name}}, &attached) != nil ||
		c.iam(r, ss, "ListUserPolicies", url.Values{"UserName": {name}}, &inline) != nil {
		return nil, false
	}
	var out []*policy.Policy
	for _, a := range attached.Policies {
		doc, known := policy.ManagedPolicy(a.PolicyArn)
		p, err := policy.Parse(doc, policy.IdentityPolicy)
		if !known || err != nil {
			return nil, false
		}
		out = append(out, p)
	}
	for _, n := range inline.Names {
		var got struct{ PolicyDocument string }
		if c.iam(r, ss, "GetUserPolicy", url.Values{"UserName": {name}, "PolicyName": {n}}, &got) != nil {
			return nil, false
		}
		doc := got.PolicyDocument
		if !strings.HasPrefix(strings.TrimSpace(doc), "{") {
			if d, err := url.QueryUnescape(doc); err == nil {
				doc = d
			}
		}
		p, err := policy.Parse(doc, policy.IdentityPolicy)
		if err != nil {
			return nil, false
		}
		out = append(out, p)
	}
	return out, true
}
