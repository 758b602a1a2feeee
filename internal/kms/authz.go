package kms

import (
	"context"
	"strings"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// authReq is one authorisation question: an action on a key (nil for
// account-level actions) with the request's condition keys.
type authReq struct {
	action string // without the "kms:" prefix, e.g. "Encrypt"
	key    *store.Key
	ec     map[string]string   // the request's encryption context, if any
	crypto bool                // a cryptographic operation: algorithm and context apply
	alg    string              // its encryption algorithm ("" is SYMMETRIC_DEFAULT)
	extra  map[string]string   // further single-valued condition keys
	multi  map[string][]string // multi-valued condition keys
	alias  string              // the alias the request named the key by
	child  *policy.Grant       // for CreateGrant
}

// authorize decides whether the caller in ctx may perform q, as AWS KMS
// does (package policy): explicit Deny wins; the key policy must allow the
// caller, directly or through delegation to the account's IAM policies;
// grants allow their operations. It fails closed: a context without a
// principal is refused (ErrNoPrincipal); only identity.System, which no
// request can carry, is not checked.
func (s *Service) authorize(ctx context.Context, q authReq) error {
	p, ok := identity.From(ctx)
	switch {
	case !ok:
		return ErrNoPrincipal
	case p.IsSystem():
		return nil
	}
	var keyPolicy *policy.Policy
	if q.key != nil {
		var err error
		if keyPolicy, err = s.keyPolicy(q.key); err != nil {
			return err
		}
	}
	idPolicies, err := s.identityPolicies(ctx, p)
	if err != nil {
		return err
	}
	// Condition keys are gathered only if a policy has conditions: most
	// keys keep the default policy, and this is every request's path.
	withConditions := keyPolicy != nil && keyPolicy.HasConditions()
	for _, ip := range idPolicies {
		withConditions = withConditions || ip.HasConditions()
	}
	r := s.policyRequest(ctx, p, q, withConditions)
	res := policy.Authorize(keyPolicy, idPolicies, nil, r)
	if res.Decision == policy.ImplicitDeny && q.key != nil {
		// Grants are consulted only when the policies alone do not decide;
		// their constraints read the encryption context.
		grants, err := s.grantsOf(ctx, q.key.ID)
		if err != nil {
			return err
		}
		if len(grants) > 0 {
			r = s.policyRequest(ctx, p, q, true)
			res = policy.Authorize(keyPolicy, idPolicies, grants, r)
		}
	}
	if res.Decision != policy.Allow && !withConditions {
		r = s.policyRequest(ctx, p, q, true) // the message names the full request
	}
	if res.Decision == policy.Allow {
		return nil
	}
	return &Error{Kind: ErrAccessDenied, Message: policy.DeniedMessage(r, res)}
}

// policyRequest builds the request evaluation looks at.
func (s *Service) policyRequest(ctx context.Context, p identity.Principal, q authReq, withConditions bool) *policy.Request {
	r := &policy.Request{
		Action:     "kms:" + q.action,
		Resource:   "*",
		Principal:  policy.Principal{ARN: p.ARN, AccountID: p.AccountID, UserName: p.UserName},
		Time:       s.now(),
		ChildGrant: q.child,
	}
	if q.key != nil {
		r.Resource = s.KeyARN(q.key.ID)
	}
	if !withConditions {
		return r
	}
	// Keys are written in lower case, as policy.Request.Context expects.
	c := make(map[string][]string, 8+len(q.ec)+len(q.extra)+len(q.multi))
	r.Context = c
	call := identity.CallFrom(ctx)
	if call.SourceIP != "" {
		c["aws:sourceip"] = []string{call.SourceIP}
	}
	c["aws:securetransport"] = []string{boolString(call.SecureTransport)}
	if q.key != nil {
		c["kms:keyorigin"] = []string{q.key.Origin}
		c["kms:keyspec"] = []string{q.key.KeySpec}
		c["kms:keyusage"] = []string{q.key.KeyUsage}
	}
	if q.alias != "" {
		c["kms:requestalias"] = []string{q.alias}
	}
	if q.crypto {
		alg := q.alg
		if alg == "" {
			alg = AlgSymmetricDefault
		}
		c["kms:encryptionalgorithm"] = []string{alg}
		// A missing context is an empty one, so that conditions on
		// kms:EncryptionContextKeys see "no keys" rather than "no context".
		r.SetEncryptionContext(orEmpty(q.ec))
	} else if q.ec != nil {
		r.SetEncryptionContext(q.ec)
	}
	for k, v := range q.extra {
		r.Set(k, v)
	}
	for k, v := range q.multi {
		r.Set(k, v...)
	}
	s.usageCondition(ctx, r, q) // kms:TrailingDaysWithoutKeyUsage (lastusage.go)
	return r
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// keyPolicy returns k's parsed key policy, cached per key version.
func (s *Service) keyPolicy(k *store.Key) (*policy.Policy, error) {
	if p := s.policies.get(k.ID, k.Version); p != nil {
		return p, nil
	}
	p, err := policy.Parse(k.Policy, policy.KeyPolicy)
	if err != nil {
		// A stored policy was valid when stored; failing here means the
		// parser changed. Deny rather than guess.
		s.cfg.Logger.Error("stored key policy does not parse", "key_id", k.ID, "err", err)
		return nil, &Error{Kind: ErrAccessDenied, Message: "The key policy of " + s.KeyARN(k.ID) + " cannot be evaluated."}
	}
	s.policies.put(k.ID, k.Version, p)
	return p, nil
}

// identityPolicies returns the caller's IAM policies: the account root has
// none (its permissions are implicit); a user has its inline and attached
// managed policies.
func (s *Service) identityPolicies(ctx context.Context, p identity.Principal) ([]*policy.Policy, error) {
	if p.IsRoot() {
		return nil, nil
	}
	return s.userPolicies.get(ctx, s.cfg.Store, p.UserName, p.UserID, s.now())
}

// grantsOf returns the grants of key id in policy form.
func (s *Service) grantsOf(ctx context.Context, keyID string) ([]policy.Grant, error) {
	var out []policy.Grant
	after := ""
	for {
		page, err := s.cfg.Store.ListGrants(ctx, keyID, after, 100)
		if err != nil {
			return nil, err
		}
		for _, g := range page {
			out = append(out, policy.Grant{
				Grantee: g.GranteePrincipal, Operations: g.Operations,
				EncryptionContextEquals: g.EncryptionContextEquals,
				EncryptionContextSubset: g.EncryptionContextSubset,
			})
		}
		if len(page) < 100 {
			return out, nil
		}
		after = page[len(page)-1].GrantID
	}
}

// aliasOf returns the alias ref names, if it names one.
func aliasOf(ref string) string {
	if strings.HasPrefix(ref, "alias/") {
		return ref
	}
	if i := strings.Index(ref, ":alias/"); i >= 0 && strings.HasPrefix(ref, "arn:") {
		return ref[i+1:]
	}
	return ""
}

// resolveFor resolves ref and authorizes q on the key it names.
func (s *Service) resolveFor(ctx context.Context, ref string, allowAlias bool, q authReq) (*store.Key, error) {
	k, err := s.resolve(ctx, ref, allowAlias)
	if err != nil {
		return nil, err
	}
	q.key, q.alias = k, aliasOf(ref)
	return k, s.authorize(ctx, q)
}
