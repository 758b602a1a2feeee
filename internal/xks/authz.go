package xks

import (
	"slices"

	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

// authorize is the optional secondary authorization (spec § Authorization):
// a key with allow rules serves a request only if one rule names the
// request's awsPrincipalArn (or "*") and its kmsOperation (or "*"). A key
// without rules serves every authenticated request. GetHealthStatus is
// never subject to it (the specification excludes it); the caller does not
// call authorize for it.
//
// Matching is exact: principals are ARNs, service principals or "AWS
// Internal" as KMS sends them, and unknown kmsOperation values simply match
// no rule but "*".
func authorize(rules []xksconfig.Rule, principal, operation string) bool {
	if len(rules) == 0 {
		return true
	}
	for _, r := range rules {
		if (r.Principal == "*" || r.Principal == principal) &&
			(slices.Contains(r.Operations, "*") || slices.Contains(r.Operations, operation)) {
			return true
		}
	}
	return false
}
