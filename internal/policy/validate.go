package policy

import "strings"

// MaxSize is the largest policy document Parse accepts, in bytes: the AWS
// KMS key policy quota of 32 KB (32,768 bytes).
const MaxSize = 32768

// MalformedError is a document Parse refuses. Its Error is the message AWS
// would send; Exception names the AWS exception to send it under.
type MalformedError struct {
	Message string
	// TooLarge is set for a document over MaxSize, which AWS KMS refuses
	// with LimitExceededException rather than MalformedPolicyDocumentException.
	TooLarge bool
}

func (e *MalformedError) Error() string { return e.Message }

// Exception returns "LimitExceededException" for an over-size document and
// "MalformedPolicyDocumentException" otherwise.
func (e *MalformedError) Exception() string {
	if e.TooLarge {
		return "LimitExceededException"
	}
	return "MalformedPolicyDocumentException"
}

func malformed(msg string) error { return &MalformedError{Message: msg} }

// compileAction validates and compiles one Action or NotAction value.
func compileAction(v string) (pattern, error) {
	if v == "*" {
		return pattern{text: v, kind: matchAny}, nil
	}
	colon := strings.IndexByte(v, ':')
	if colon <= 0 {
		return pattern{}, malformed(msgVendor)
	}
	if strings.IndexByte(v[colon+1:], ':') >= 0 {
		return pattern{}, malformed(msgOneColon)
	}
	lower := strings.ToLower(v)
	return pattern{text: lower, kind: classify(lower)}, nil
}

// compileResource validates and compiles one Resource or NotResource value.
// Key policies accept any string (AWS KMS documents "*", meaning this key);
// identity policies need "*" or an ARN.
func compileResource(v string, kind Kind, vars bool) (pattern, error) {
	if v == "*" {
		return pattern{text: v, kind: matchAny}, nil
	}
	if kind == IdentityPolicy && (!strings.HasPrefix(v, "arn:") || strings.Count(v, ":") < 5) {
		return pattern{}, malformed(msgBadResource(v))
	}
	p := pattern{text: v, kind: classify(v)}
	if p.kind == matchPrefix {
		p.kind = matchGlob // resources match segment by segment
	}
	if vars {
		p.tmpl = compileTemplate(v)
	}
	return p, nil
}

func classify(s string) matchKind {
	if s == "*" {
		return matchAny
	}
	star := strings.IndexByte(s, '*')
	if strings.IndexByte(s, '?') < 0 {
		if star < 0 {
			return matchExact
		}
		if star == len(s)-1 {
			return matchPrefix
		}
	}
	return matchGlob
}

// addPrincipal validates one principal value of type typ ("AWS", "Service",
// "Federated") and adds it to set.
func addPrincipal(set *principalSet, typ, v string) error {
	if v == "" {
		return malformed(msgInvalidPrincipals)
	}
	if typ != "AWS" {
		if strings.ContainsAny(v, "*?") {
			return malformed(msgInvalidPrincipals)
		}
		set.services = append(set.services, v)
		return nil
	}
	if v == "*" {
		set.any = true
		return nil
	}
	if strings.ContainsAny(v, "*?") {
		return malformed(msgInvalidPrincipals)
	}
	set.raw = append(set.raw, v)
	if isAccountID(v) {
		set.accounts = append(set.accounts, v)
		return nil
	}
	acct, res, ok := splitPrincipalARN(v)
	if !ok {
		return malformed(msgInvalidPrincipals)
	}
	if res == "root" {
		set.accounts = append(set.accounts, acct)
		return nil
	}
	set.arns = append(set.arns, v)
	return nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// splitPrincipalARN checks arn:<partition>:iam|sts::<account>:<resource>
// and returns the account and resource.
func splitPrincipalARN(v string) (account, resource string, ok bool) {
	parts := strings.SplitN(v, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[3] != "" || !isAccountID(parts[4]) {
		return "", "", false
	}
	res := parts[5]
	switch parts[2] {
	case "iam":
		if res == "root" {
			return parts[4], res, true
		}
		for _, p := range []string{"user/", "role/", "federated-user/"} {
			if strings.HasPrefix(res, p) && len(res) > len(p) && !strings.HasSuffix(res, "/") {
				return parts[4], res, true
			}
		}
	case "sts":
		for _, p := range []string{"assumed-role/", "federated-user/"} {
			if strings.HasPrefix(res, p) && len(res) > len(p) {
				return parts[4], res, true
			}
		}
	}
	return "", "", false
}

func validSidIAM(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
