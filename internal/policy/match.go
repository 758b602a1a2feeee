package policy

import (
	"strings"
	"unicode/utf8"
)

// esc marks the next byte of a resolved pattern as literal: ${*}, ${?} and
// substituted variable values must not act as wildcards. Parse refuses
// documents containing NUL, so the marker cannot come from a policy.
const esc = '\x00'

// globMatch reports whether s matches pattern p, in which '*' matches any
// run of characters (also none) and '?' exactly one. With fold, ASCII
// letters of s are compared lower-cased (p must then be lower case).
func globMatch(p, s string, fold bool) bool {
	var pi, si int
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				if pi == len(p)-1 {
					return true // a trailing '*' matches the rest
				}
				starP, starS = pi, si
				pi++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[si:])
				pi++
				si += n
				continue
			case esc:
				if pi+1 < len(p) && p[pi+1] == s[si] {
					pi += 2
					si++
					continue
				}
			default:
				if c == s[si] || fold && c == lowerASCII(s[si]) {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldASCII compares ASCII case-insensitively; other bytes exactly.
// It compares from the end: actions share their "kms:" prefix, ARNs their
// "arn:aws:iam::", so differences show there first.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] != b[i] && lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// matchAction matches a compiled (lower-case) action pattern against the
// request's action, case-insensitively.
func matchAction(pt *pattern, action string) bool {
	switch pt.kind {
	case matchAny:
		return true
	case matchExact:
		return equalFoldASCII(pt.text, action)
	case matchPrefix:
		n := len(pt.text) - 1
		return len(action) >= n && equalFoldASCII(pt.text[:n], action[:n])
	}
	return globMatch(pt.text, action, true)
}

// matchARN matches an ARN pattern against an ARN as the ArnLike operator
// and the Resource element do: the first five colon-separated fields
// (arn, partition, service, region, account) are matched one by one, so a
// wildcard never spans a colon there, and the rest (the resource) as a
// whole. A pattern with fewer fields matches the rest of the value as one.
func matchARN(p, s string) bool {
	if p == "*" {
		return true
	}
	for i := 0; i < 5; i++ {
		pc := colon(p)
		if pc < 0 {
			break
		}
		sc := colon(s)
		if sc < 0 || p[:pc] != s[:sc] && !globMatch(p[:pc], s[:sc], false) {
			return false
		}
		p, s = p[pc+1:], s[sc+1:]
	}
	return p == s || globMatch(p, s, false)
}

// colon is strings.IndexByte(s, ':') for the short fields of an ARN, where
// a plain loop is faster.
func colon(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return i
		}
	}
	return -1
}

// matchResource matches a compiled Resource pattern (variables resolved
// into p) against the request's resource.
func matchResource(kind matchKind, p, resource string) bool {
	switch kind {
	case matchAny:
		return true
	case matchExact:
		return p == resource
	}
	return matchARN(p, resource)
}

// pmatch says how a principal element matched the caller.
type pmatch uint8

const (
	pNone    pmatch = iota
	pAccount        // through the caller's account principal: delegation to IAM
	pDirect         // the caller itself, "*", or the account root user through its account
)

// match matches a Principal element against the caller.
func (set *principalSet) match(p *Principal) pmatch {
	if set.any {
		return pDirect
	}
	for _, a := range set.arns {
		if equalFoldASCII(a, p.ARN) {
			return pDirect
		}
	}
	for _, s := range set.services {
		if s == p.ARN {
			return pDirect
		}
	}
	for _, a := range set.accounts {
		if a == p.AccountID {
			if p.IsRoot() {
				return pDirect
			}
			return pAccount
		}
	}
	return pNone
}

// matchNot evaluates a NotPrincipal element. A request made by an IAM user
// carries two identities, the user and its account; AWS may check either.
// A Deny applies unless every identity of the caller is listed; an Allow
// applies only when none is, so that naming a user or its account excludes
// the user either way.
func (set *principalSet) matchNot(p *Principal, effect Effect) pmatch {
	self, account := set.any, set.any
	for _, a := range set.accounts {
		account = account || a == p.AccountID
	}
	for _, a := range set.arns {
		self = self || equalFoldASCII(a, p.ARN)
	}
	for _, s := range set.services {
		self = self || s == p.ARN
	}
	switch {
	case p.IsRoot(): // the account is its only identity
		self = account
	case p.AccountID == "": // a service: itself only
		account = self
	}
	if effect == EffectDeny {
		if self && account {
			return pNone
		}
		return pDirect
	}
	if self || account {
		return pNone
	}
	return pDirect
}

// arnAccount returns the account field of an ARN, or "" for anything else
// (such as "*").
func arnAccount(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	s := arn
	for i := 0; i < 4; i++ {
		c := colon(s)
		if c < 0 {
			return ""
		}
		s = s[c+1:]
	}
	if c := colon(s); c >= 0 {
		return s[:c]
	}
	return ""
}
