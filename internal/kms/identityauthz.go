package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/policy"
)

// AuthorizeIdentity decides whether p's identity policies allow action, a
// full IAM action name such as "cloudtrail:LookupEvents", on every
// resource ("*"): for what Trent serves besides KMS (the console's event
// history), with the same policies, cache and evaluation as a KMS call.
// The account root is always allowed (its permissions are implicit). A
// refusal is an *Error of kind ErrAccessDenied with AWS's message; ctx
// supplies the caller's connection for aws:SourceIp and
// aws:SecureTransport conditions.
func (s *Service) AuthorizeIdentity(ctx context.Context, p identity.Principal, action string) error {
	switch {
	case p.IsRoot() || p.IsSystem():
		return nil
	case !p.Authenticated():
		return ErrNoPrincipal
	}
	pols, err := s.identityPolicies(ctx, p)
	if err != nil {
		return err
	}
	r := &policy.Request{Action: action, Resource: "*", Time: s.now(),
		Principal: policy.Principal{ARN: p.ARN, AccountID: p.AccountID, UserName: p.UserName}}
	call := identity.CallFrom(ctx)
	r.Context = map[string][]string{"aws:securetransport": {boolString(call.SecureTransport)}}
	if call.SourceIP != "" {
		r.Context["aws:sourceip"] = []string{call.SourceIP}
	}
	res := policy.Authorize(nil, pols, nil, r)
	if res.Decision == policy.Allow {
		return nil
	}
	return &Error{Kind: ErrAccessDenied, Message: policy.DeniedMessage(r, res)}
}
