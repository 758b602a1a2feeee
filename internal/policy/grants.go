package policy

import "strings"

// Grant is a KMS grant as authorisation sees it.
type Grant struct {
	// Grantee is the grantee principal's ARN. A user ARN allows that user;
	// an account principal (arn:aws:iam::<account>:root) allows the account
	// root user, and other principals of the account only as far as their
	// identity policies allow (as a key policy naming the account does).
	Grantee string
	// Operations are GrantOperation values ("Encrypt", "Decrypt", ...); a
	// grant allows exactly the actions "kms:<operation>" and nothing else.
	Operations []string
	// EncryptionContextEquals, when non-nil, requires the request's
	// encryption context to be exactly these pairs (an empty, non-nil map
	// requires an empty context).
	EncryptionContextEquals map[string]string
	// EncryptionContextSubset, when non-nil, requires the request's
	// encryption context to include these pairs.
	EncryptionContextSubset map[string]string
}

// GrantOperations is the GrantOperation enum of the KMS API: the only
// operations a grant can allow.
var GrantOperations = []string{
	"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
	"ReEncryptFrom", "ReEncryptTo", "Sign", "Verify", "GetPublicKey", "CreateGrant",
	"RetireGrant", "DescribeKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
	"GenerateMac", "VerifyMac", "DeriveSharedSecret",
}

// ValidGrantOperation reports whether op is a GrantOperation value (exact
// spelling).
func ValidGrantOperation(op string) bool {
	for _, o := range GrantOperations {
		if o == op {
			return true
		}
	}
	return false
}

// constrainedOperation reports whether grant constraints apply to op: the
// operations that take an encryption context. KMS refuses constraints on
// grants for asymmetric and HMAC keys, so on a grant that has them these
// operations always run on a symmetric encryption key. Constraints do not
// apply to DescribeKey, RetireGrant or CreateGrant.
func constrainedOperation(op string) bool {
	switch op {
	case "Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
		"GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext":
		return true
	}
	return false
}

// allows reports whether, and how, the grant allows r.
func (g *Grant) allows(r *Request) pmatch {
	if len(r.Action) < 4 || !equalFoldASCII(r.Action[:4], "kms:") {
		return pNone
	}
	op := ""
	for _, o := range g.Operations {
		if equalFoldASCII(o, r.Action[4:]) && ValidGrantOperation(o) {
			op = o
			break
		}
	}
	if op == "" {
		return pNone
	}
	m := g.granteeMatch(&r.Principal)
	if m == pNone {
		return pNone
	}
	if constrainedOperation(op) {
		if g.EncryptionContextEquals != nil && !contextEquals(g.EncryptionContextEquals, r.EncryptionContext) {
			return pNone
		}
		if g.EncryptionContextSubset != nil && !contextIncludes(r.EncryptionContext, g.EncryptionContextSubset) {
			return pNone
		}
	}
	if op == "CreateGrant" && r.ChildGrant != nil && !g.Permits(r.ChildGrant) {
		return pNone
	}
	return m
}

func (g *Grant) granteeMatch(p *Principal) pmatch {
	if g.Grantee == "" {
		return pNone
	}
	if equalFoldASCII(g.Grantee, p.ARN) {
		return pDirect
	}
	acct := g.Grantee
	if !isAccountID(acct) {
		if !strings.HasSuffix(acct, ":root") {
			return pNone
		}
		acct = arnAccount(acct)
	}
	if acct != "" && acct == p.AccountID {
		if p.IsRoot() {
			return pDirect
		}
		return pAccount
	}
	return pNone
}

// contextIncludes reports whether ctx includes every pair of want. As in
// KMS grant constraints, keys compare case-insensitively and values exactly.
func contextIncludes(ctx, want map[string]string) bool {
	for k, v := range want {
		found := false
		for rk, rv := range ctx {
			if rv == v && strings.EqualFold(rk, k) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// contextEquals reports whether ctx has exactly the pairs of want.
func contextEquals(want, ctx map[string]string) bool {
	return len(ctx) == len(want) && contextIncludes(ctx, want)
}

// Permits reports whether a grantee of g that creates a grant through g's
// CreateGrant operation may create child: the child's operations must be
// among g's, and its constraints as strict or stricter. A Subset
// constraint may gain pairs or become an Equals constraint holding its
// pairs; an Equals constraint must stay the same.
func (g *Grant) Permits(child *Grant) bool {
	for _, c := range child.Operations {
		ok := false
		for _, o := range g.Operations {
			ok = ok || o == c
		}
		if !ok {
			return false
		}
	}
	if g.EncryptionContextEquals != nil {
		if child.EncryptionContextEquals == nil || !contextEquals(g.EncryptionContextEquals, child.EncryptionContextEquals) {
			return false
		}
	}
	if s := g.EncryptionContextSubset; s != nil {
		bySubset := child.EncryptionContextSubset != nil && contextIncludes(child.EncryptionContextSubset, s)
		byEquals := child.EncryptionContextEquals != nil && contextIncludes(child.EncryptionContextEquals, s)
		if !bySubset && !byEquals {
			return false
		}
	}
	return true
}
