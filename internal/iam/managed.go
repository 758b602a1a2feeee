package iam

import (
	"slices"
	"strings"
	"sync"

	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// The AWS managed policies users may be attached to are those package
// policy ships (policy.ManagedPolicy), with AWS's documents, so that the
// policies IAM attaches are exactly those KMS evaluates. Their ARNs are
// arn:aws:iam::aws:policy<path><name>.

// managedName returns the path and name of a managed policy Trent ships.
func managedName(arn string) (path, name string, ok bool) {
	if _, ok := policy.ManagedPolicy(arn); !ok {
		return "", "", false
	}
	rest, _ := strings.CutPrefix(arn, "arn:aws:iam::aws:policy")
	i := strings.LastIndexByte(rest, '/')
	return rest[:i+1], rest[i+1:], true
}

// parsedManaged holds the managed policies compiled, parsed once.
var parsedManaged = sync.OnceValue(func() map[string]*policy.Policy {
	arns := policy.ManagedPolicyARNs()
	m := make(map[string]*policy.Policy, len(arns))
	for _, arn := range arns {
		doc, _ := policy.ManagedPolicy(arn)
		p, err := policy.Parse(doc, policy.IdentityPolicy)
		if err != nil {
			panic("iam: managed policy " + arn + " does not parse: " + err.Error())
		}
		m[arn] = p
	}
	return m
})

// identityPolicies returns a user's identity policies, compiled: its inline
// policies, then its attached managed policies. It fails if a stored
// document does not parse or an attached policy is unknown, so that a
// policy that cannot be read never goes unenforced.
func identityPolicies(u store.User) ([]*policy.Policy, error) {
	out := make([]*policy.Policy, 0, len(u.InlinePolicies)+len(u.AttachedPolicies))
	names := make([]string, 0, len(u.InlinePolicies))
	for name := range u.InlinePolicies {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p, err := policy.Parse(u.InlinePolicies[name], policy.IdentityPolicy)
		if err != nil {
			return nil, &storedPolicyError{u.Name, name, err}
		}
		out = append(out, p)
	}
	for _, arn := range u.AttachedPolicies {
		p, ok := parsedManaged()[arn]
		if !ok {
			return nil, &storedPolicyError{u.Name, arn, errUnknownManaged}
		}
		out = append(out, p)
	}
	return out, nil
}

// validARN reports whether s has the six colon-separated fields of an ARN.
func validARN(s string) bool {
	f := strings.SplitN(s, ":", 6)
	return len(f) == 6 && f[0] == "arn" && f[1] != "" && f[2] != "" && f[5] != ""
}
