package policy

import (
	"net/netip"
	"strings"
	"time"
)

// Kind says which kind of document Parse reads.
type Kind uint8

const (
	// KeyPolicy is a KMS key policy, a resource-based policy: every
	// statement names a Principal or NotPrincipal.
	KeyPolicy Kind = iota + 1
	// IdentityPolicy is an IAM identity-based policy attached to a user: no
	// statement may name a principal.
	IdentityPolicy
)

// Effect is a statement's Effect element.
type Effect uint8

const (
	// EffectAllow is "Effect": "Allow".
	EffectAllow Effect = iota + 1
	// EffectDeny is "Effect": "Deny".
	EffectDeny
)

// Decision is the outcome of evaluating a request.
type Decision uint8

const (
	// ImplicitDeny: nothing allows the request and nothing denies it.
	ImplicitDeny Decision = iota
	// Allow: the request is allowed.
	Allow
	// ExplicitDeny: a Deny statement applies; nothing can override it.
	ExplicitDeny
)

// String returns "ImplicitDeny", "Allow" or "ExplicitDeny".
func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Principal is the authenticated caller of a request.
type Principal struct {
	ARN       string // arn:aws:iam::111122223333:user/alice, or :root for the account root user
	AccountID string // 111122223333
	UserName  string // friendly name; empty for the account root user
}

// IsRoot reports whether p is its account's root user.
func (p *Principal) IsRoot() bool {
	return p.UserName == "" && len(p.ARN) > 5 && p.ARN[len(p.ARN)-5:] == ":root"
}

// Request is everything evaluation looks at. A Request is read, never
// written, by this package, so one may be shared between goroutines.
type Request struct {
	// Action is the action being authorised, "kms:Encrypt". Matching is
	// case-insensitive.
	Action string
	// Resource is the key ARN, or "*" for actions that involve no key
	// (kms:CreateKey, kms:ListKeys, kms:GenerateRandom, ...).
	Resource string
	// Principal is the caller.
	Principal Principal
	// Context holds the request's condition keys and their values. Keys
	// should be lower case ("kms:encryptioncontext:purpose", "aws:sourceip");
	// a key in another case is still found, by a slower scan. A key with no
	// values is absent. Multi-valued keys (kms:EncryptionContextKeys,
	// kms:GrantOperations, kms:ResourceAliases) hold one entry per value.
	// aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
	// aws:username and kms:CallerAccount are derived from Principal when
	// Context does not hold them.
	Context map[string][]string
	// Time is the request's time. When it is set and Context lacks
	// aws:CurrentTime or aws:EpochTime, those keys take their value from it.
	Time time.Time
	// EncryptionContext is the request's encryption context exactly as sent
	// (case preserved). Only grant constraints read it; policy conditions
	// read the kms:EncryptionContext:* and kms:EncryptionContextKeys keys of
	// Context.
	EncryptionContext map[string]string
	// ChildGrant is, for kms:CreateGrant, the grant being created. A grant
	// that includes CreateGrant allows the call only when the child is as
	// strict as itself (see Grant.Permits).
	ChildGrant *Grant
}

// Set sets condition key key (any case) to values, creating Context.
func (r *Request) Set(key string, values ...string) {
	if r.Context == nil {
		r.Context = make(map[string][]string)
	}
	r.Context[strings.ToLower(key)] = values
}

// SetEncryptionContext records the request's encryption context: as
// EncryptionContext for grant constraints, and as the condition keys
// kms:EncryptionContext:<key> (one per pair; the key part lower-cased, the
// value as sent) and kms:EncryptionContextKeys (the keys as sent). An empty
// context sets neither key, so Null finds them absent.
func (r *Request) SetEncryptionContext(ec map[string]string) {
	r.EncryptionContext = ec
	if len(ec) == 0 {
		return
	}
	if r.Context == nil {
		r.Context = make(map[string][]string, len(ec)+1)
	}
	keys := make([]string, 0, len(ec))
	for k, v := range ec {
		keys = append(keys, k)
		ck := "kms:encryptioncontext:" + strings.ToLower(k)
		r.Context[ck] = append(r.Context[ck], v)
	}
	r.Context["kms:encryptioncontextkeys"] = keys
}

// Policy is a parsed and validated policy document. It is immutable and
// safe for concurrent use.
type Policy struct {
	// Version is the document's Version element ("" when absent, which
	// AWS reads as 2008-10-17).
	Version string
	// ID is the document's Id element.
	ID string
	// Statements are the document's statements in order.
	Statements []Statement

	kind Kind
	vars bool // policy variables are expanded (Version 2012-10-17)
}

// Kind returns the kind the document was parsed as.
func (p *Policy) Kind() Kind { return p.kind }

// Principals returns every value of every AWS principal the document names
// in Principal and NotPrincipal elements, as written (account IDs,
// arn:aws:iam::<account>:root, user and role ARNs), without "*". AWS KMS
// refuses a key policy that names a principal that does not exist; callers
// check these against their identity store.
func (p *Policy) Principals() []string {
	var out []string
	for i := range p.Statements {
		out = append(out, p.Statements[i].principals.raw...)
	}
	return out
}

// Statement is one statement of a Policy. Its elements are compiled for
// evaluation and are not exported; Sid and Effect are.
type Statement struct {
	Sid    string
	Effect Effect

	hasPrincipal bool // Principal or NotPrincipal present
	notPrincipal bool
	principals   principalSet

	hasAction bool // Action or NotAction present
	notAction bool
	actions   []pattern

	hasResource bool // Resource or NotResource present
	notResource bool
	resources   []pattern

	conditions []condition
}

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	any      bool     // "*" or {"AWS": "*"}
	accounts []string // account IDs, from "111122223333" or "arn:aws:iam::111122223333:root"
	arns     []string // other AWS principals: users, roles, assumed roles, federated users
	services []string // {"Service": ...} and {"Federated": ...} values
	raw      []string // AWS values as written, for Principals
}

// pattern is a compiled Action or Resource value.
type pattern struct {
	text string    // lower-cased for actions; as written for resources
	kind matchKind // how text is matched
	tmpl *template // policy variables, or nil
}

type matchKind uint8

const (
	matchAny    matchKind = iota + 1 // "*"
	matchExact                       // no wildcard
	matchPrefix                      // one trailing "*" and no other wildcard
	matchGlob                        // anything else
)

// condition is one condition key under one operator of a Condition block.
type condition struct {
	op       opKind  // the positive operator: StringNotEquals is StringEquals, negated
	negated  bool    // a negated operator (NOR over the policy values)
	ifExists bool    // ...IfExists
	set      setMode // ForAnyValue / ForAllValues
	key      string  // the condition key, lower-cased
	values   []string
	tmpls    []*template // per value, nil when the value has no variable
	hasVars  bool

	nums        []float64
	times       []time.Time
	nets        []netip.Prefix
	nullAbsent  bool // Null "true": holds when the key is absent
	nullPresent bool // Null "false": holds when the key is present
}

type setMode uint8

const (
	setNone setMode = iota
	setAnyValue
	setAllValues
)

// HasConditions reports whether any statement of p has a Condition. A
// caller may skip gathering condition keys for policies without any.
func (p *Policy) HasConditions() bool {
	for i := range p.Statements {
		if len(p.Statements[i].conditions) > 0 {
			return true
		}
	}
	return false
}
