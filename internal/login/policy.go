package login

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Policy is an account password policy: what a new console password must
// meet. Its knobs are those of IAM's PasswordPolicy that constrain a
// password's text.
type Policy struct {
	MinLength int // in characters
	MaxLength int
	// RequireUppercase and the like each demand one character of that
	// kind: A-Z, a-z, 0-9, or one of Symbols.
	RequireUppercase, RequireLowercase, RequireNumbers, RequireSymbols bool
	// MinCategories demands characters of at least that many of the four
	// kinds, whichever they are.
	MinCategories int
}

// DefaultPolicy is AWS's default password policy, which applies while an
// account has set none (Trent never has one): 8 to 128 characters, of at
// least three of the four kinds (upper case, lower case, digits, Symbols),
// and not the account's name — here: not the account ID nor the user's
// name, the callers pass them to Check.
var DefaultPolicy = Policy{MinLength: 8, MaxLength: 128, MinCategories: 3}

// IsDefault reports whether p is DefaultPolicy: GetAccountPasswordPolicy
// then answers, as IAM does for an account without a policy, that there
// is none.
func (p Policy) IsDefault() bool { return p == DefaultPolicy }

// Symbols are the characters IAM counts as symbols in a password.
const Symbols = "!@#$%^&*()_+-=[]{}|'"

// PolicyError is a password that does not meet the policy. Error() is
// IAM's one message for every violation; Reasons says which rules failed,
// for an operator's tool (never the password itself).
type PolicyError struct{ Reasons []string }

// PolicyViolationMessage is IAM's message for PasswordPolicyViolation.
const PolicyViolationMessage = "Password does not conform to the account password policy."

func (e *PolicyError) Error() string { return PolicyViolationMessage }

// Check returns a *PolicyError if password does not meet p, or equals,
// in any case, one of forbidden (the account ID, the user's name).
// Passwords hold the characters IAM's model allows: tab, CR, LF, and
// U+0020 to U+00FF.
func (p Policy) Check(password string, forbidden ...string) error {
	var reasons []string
	n := utf8.RuneCountInString(password)
	if n < p.MinLength {
		reasons = append(reasons, fmt.Sprintf("is shorter than %d characters", p.MinLength))
	}
	if p.MaxLength > 0 && n > p.MaxLength {
		reasons = append(reasons, fmt.Sprintf("is longer than %d characters", p.MaxLength))
	}
	var upper, lower, digit, symbol, invalid bool
	for _, r := range password {
		switch {
		case 'A' <= r && r <= 'Z':
			upper = true
		case 'a' <= r && r <= 'z':
			lower = true
		case '0' <= r && r <= '9':
			digit = true
		case strings.ContainsRune(Symbols, r):
			symbol = true
		case r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xFF):
		default:
			invalid = true
		}
	}
	if invalid {
		reasons = append(reasons, "holds characters other than tab, CR, LF and U+0020 to U+00FF")
	}
	kinds := 0
	for _, k := range []struct {
		has, required bool
		name          string
	}{
		{upper, p.RequireUppercase, "an upper-case letter (A-Z)"},
		{lower, p.RequireLowercase, "a lower-case letter (a-z)"},
		{digit, p.RequireNumbers, "a digit (0-9)"},
		{symbol, p.RequireSymbols, "a symbol (" + Symbols + ")"},
	} {
		if k.has {
			kinds++
		} else if k.required {
			reasons = append(reasons, "has no "+k.name)
		}
	}
	if kinds < p.MinCategories {
		reasons = append(reasons, fmt.Sprintf("has %d of the kinds upper case, lower case, digits, symbols; needs %d", kinds, p.MinCategories))
	}
	for _, f := range forbidden {
		if f != "" && strings.EqualFold(password, f) {
			reasons = append(reasons, "is the account ID or the user's name")
			break
		}
	}
	if len(reasons) > 0 {
		return &PolicyError{Reasons: reasons}
	}
	return nil
}
