package policy

// PolicyType names the kind of policy a Result is about, as AWS's
// AccessDeniedException messages do.
type PolicyType uint8

const (
	// NoPolicy: nothing (an Allow by the account root user's own rights).
	NoPolicy PolicyType = iota
	// ResourceBased is the key policy.
	ResourceBased
	// IdentityBased is the caller's identity (IAM) policies.
	IdentityBased
	// GrantBased is a grant.
	GrantBased
)

// Result is the outcome of Authorize.
type Result struct {
	Decision Decision
	// Type is the policy type that decided: for Allow and ExplicitDeny the
	// one holding the deciding statement or grant; for ImplicitDeny the one
	// that lacked an Allow (ResourceBased: the key policy allows neither the
	// caller nor its account; IdentityBased: it delegates to the account,
	// or there is no key, and no identity policy allows).
	Type PolicyType
	// Policy is the index of the deciding identity policy or grant, or -1.
	Policy int
	// Statement is the index of the deciding statement in its policy, or -1.
	Statement int
	// Reason says why, in words for logs (a constant; never allocated).
	Reason string
}

const (
	reasonKeyDeny       = "explicitly denied by the key policy"
	reasonIdentityDeny  = "explicitly denied by an identity-based policy"
	reasonKeyAllow      = "allowed by the key policy"
	reasonDelegated     = "allowed by an identity-based policy, through the key policy's delegation to the account"
	reasonRootDelegated = "allowed to the account root user by the key policy's account principal"
	reasonGrant         = "allowed by a grant"
	reasonIdentityAllow = "allowed by an identity-based policy"
	reasonRootAccount   = "allowed to the account root user, which has every permission not tied to a key"
	reasonNoKeyAllow    = "the key policy allows neither the caller nor its account, and no grant does"
	reasonNoIdentity    = "the key policy delegates to the account, but no identity-based policy allows the action"
	reasonNoIdentityAcc = "no identity-based policy allows the action"
)

// Authorize decides r as AWS KMS does. key is the key policy, or nil for
// actions that involve no key (r.Resource "*": kms:CreateKey, kms:ListKeys,
// ...), which only identity policies decide. identity are the caller's
// identity policies; grants are the key's grants (ignored without a key).
//
//  1. An explicit Deny in the key policy or in any identity policy wins
//     over everything, grants included.
//  2. The key policy allows the caller directly (by its ARN, "*",
//     NotPrincipal, or the account principal for the account root user).
//  3. Or the key policy allows the caller's account principal for this
//     action and resource, and an identity policy allows the caller: the
//     delegation that makes IAM policies effective. Without it, identity
//     policies can deny but not allow. The account root user, who has no
//     identity policies and every IAM permission, needs only the delegation.
//  4. Or a grant for the caller includes the operation and its encryption
//     context constraints hold.
//
// A caller from another account than the key's (the account field of
// r.Resource) needs the key policy to allow it or its account and, as
// well, its own identity policies to allow the call.
func Authorize(key *Policy, identity []*Policy, grants []Grant, r *Request) Result {
	var kr evalResult
	if key != nil {
		if kr = key.eval(r); kr.deny >= 0 {
			return Result{Decision: ExplicitDeny, Type: ResourceBased, Policy: -1, Statement: kr.deny, Reason: reasonKeyDeny}
		}
	}
	root := r.Principal.IsRoot()
	idPolicy, idStatement := -1, -1
	for i, p := range identity {
		if p == nil {
			continue
		}
		ir := p.eval(r)
		if ir.deny >= 0 {
			return Result{Decision: ExplicitDeny, Type: IdentityBased, Policy: i, Statement: ir.deny, Reason: reasonIdentityDeny}
		}
		if idPolicy < 0 && ir.direct >= 0 {
			idPolicy, idStatement = i, ir.direct
		}
	}
	idAllows := root || idPolicy >= 0
	if key == nil {
		switch {
		case idPolicy >= 0:
			return Result{Decision: Allow, Type: IdentityBased, Policy: idPolicy, Statement: idStatement, Reason: reasonIdentityAllow}
		case root:
			return Result{Decision: Allow, Type: NoPolicy, Policy: -1, Statement: -1, Reason: reasonRootAccount}
		}
		return Result{Decision: ImplicitDeny, Type: IdentityBased, Policy: -1, Statement: -1, Reason: reasonNoIdentityAcc}
	}

	acct := arnAccount(r.Resource)
	cross := acct != "" && acct != r.Principal.AccountID
	switch {
	case kr.direct >= 0 && (!cross || idAllows):
		return Result{Decision: Allow, Type: ResourceBased, Policy: -1, Statement: kr.direct, Reason: reasonKeyAllow}
	case kr.account >= 0 && idPolicy >= 0:
		return Result{Decision: Allow, Type: IdentityBased, Policy: idPolicy, Statement: idStatement, Reason: reasonDelegated}
	case kr.account >= 0 && root:
		return Result{Decision: Allow, Type: ResourceBased, Policy: -1, Statement: kr.account, Reason: reasonRootDelegated}
	}
	for i := range grants {
		switch grants[i].allows(r) {
		case pDirect:
			return Result{Decision: Allow, Type: GrantBased, Policy: i, Statement: -1, Reason: reasonGrant}
		case pAccount:
			if idAllows {
				return Result{Decision: Allow, Type: GrantBased, Policy: i, Statement: -1, Reason: reasonGrant}
			}
		}
	}
	if kr.direct >= 0 || kr.account >= 0 {
		return Result{Decision: ImplicitDeny, Type: IdentityBased, Policy: -1, Statement: -1, Reason: reasonNoIdentity}
	}
	return Result{Decision: ImplicitDeny, Type: ResourceBased, Policy: -1, Statement: -1, Reason: reasonNoKeyAllow}
}

// LocksOut reports whether the key policy p would stop r's principal from
// calling kms:PutKeyPolicy on the key later: the lockout safety check of
// CreateKey, PutKeyPolicy and ReplicateKey (skipped by AWS when
// BypassPolicyLockoutSafetyCheck is true). r is the current request; its
// Action is replaced by kms:PutKeyPolicy and its conditions are evaluated
// as they are now. The policy passes when a statement allows the caller or
// its account principal and no statement denies it; the delegation to the
// account counts without consulting identity policies, which is why the
// default key policy never locks anyone out.
func LocksOut(p *Policy, r Request) bool {
	r.Action = "kms:PutKeyPolicy"
	res := p.eval(&r)
	return res.deny >= 0 || res.direct < 0 && res.account < 0
}
