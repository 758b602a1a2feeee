package sigv4

import (
	"strconv"
	"strings"
	"time"
)

// Query parameter names of the presigned (query) form.
const (
	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
	qSecurityToken = "X-Amz-Security-Token"

	// maxExpires is the longest presigned validity AWS allows, seven days,
	// because a signing key is only valid for that long.
	maxExpires = 604800
)

// queryAuth holds the decoded SigV4 parameters of a presigned request.
type queryAuth struct {
	algorithm     string
	credential    string
	date          string
	expires       string // "" when absent
	signedHeaders string
	signature     string
	hasToken      bool
}

// queryParams lists the parameters parsePresigned collects, in the order AWS
// reports missing ones; required marks those that must be present.
var queryParams = [...]struct {
	name     string
	required bool
}{
	{qAlgorithm, true}, {qCredential, true}, {qSignature, true},
	{qSignedHeaders, true}, {qDate, true}, {qExpires, false}, {qSecurityToken, false},
}

// parsePresigned extracts the SigV4 parameters from a raw query string. ok is
// false when the query carries none of X-Amz-Algorithm, X-Amz-Credential and
// X-Amz-Signature: the request is then not presigned at all and the caller
// answers MissingAuthenticationToken. Otherwise a repeated or missing
// parameter, or an algorithm other than AWS4-HMAC-SHA256, is an
// IncompleteSignature error. Names are matched exactly after percent-decoding;
// other parameters are ignored here (they are part of the canonical query).
func parsePresigned(rawQuery string) (q queryAuth, ok bool, err *Error) {
	if !strings.Contains(rawQuery, "X-Amz-") && !strings.Contains(rawQuery, "%") {
		return q, false, nil
	}
	var seen uint8
	for rest := rawQuery; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "&")
		rawName, rawValue, _ := strings.Cut(part, "=")
		name := unescapeQuery(rawName)
		i := queryParamIndex(name)
		if i < 0 {
			continue
		}
		if seen&(1<<i) != 0 {
			return queryAuth{}, true, incomplete("AWS query-string parameters must not repeat '" + name + "'.")
		}
		seen |= 1 << i
		value := unescapeQuery(rawValue)
		switch name {
		case qAlgorithm:
			q.algorithm = value
		case qCredential:
			q.credential = value
		case qDate:
			q.date = value
		case qExpires:
			q.expires = value
		case qSignedHeaders:
			q.signedHeaders = value
		case qSignature:
			q.signature = value
		case qSecurityToken:
			q.hasToken = true
		}
	}
	if seen&0b111 == 0 {
		return queryAuth{}, false, nil
	}
	var missing []string
	for i, p := range queryParams {
		if p.required && seen&(1<<i) == 0 {
			missing = append(missing, "AWS query-string parameters must include '"+p.name+"'. Re-examine the query-string parameters.")
		}
	}
	if missing != nil {
		return queryAuth{}, true, incomplete(strings.Join(missing, " "))
	}
	if q.algorithm != algorithm {
		return queryAuth{}, true, errUnsupportedAlgorithm(q.algorithm)
	}
	if seen&(1<<queryParamIndex(qExpires)) != 0 && q.expires == "" {
		// Present but empty: not the same as absent, which selects the
		// header form's clock window.
		return queryAuth{}, true, incomplete("X-Amz-Expires should be a number")
	}
	return q, true, nil
}

func queryParamIndex(name string) int {
	for i, p := range queryParams {
		if p.name == name {
			return i
		}
	}
	return -1
}

// parseExpires validates X-Amz-Expires: whole seconds in 1..604800. The
// messages follow S3's wording, the only AWS text published for this check.
func parseExpires(s string) (time.Duration, *Error) {
	if len(s) > 1 && s[0] == '-' && isDigits(s[1:]) {
		return 0, incomplete("X-Amz-Expires must be non-negative")
	}
	if !isDigits(s) {
		return 0, incomplete("X-Amz-Expires should be a number")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxExpires {
		return 0, incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	if n == 0 {
		return 0, incomplete("X-Amz-Expires must be greater than 0")
	}
	return time.Duration(n) * time.Second, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// encodePresigned renders the parameters of q as a query string, the inverse
// of parsePresigned for everything but the security token. Presign uses it so
// that what it writes is exactly what Verify reads.
func encodePresigned(q queryAuth) string {
	var b []byte
	add := func(name, value string) {
		if value == "" {
			return
		}
		if len(b) > 0 {
			b = append(b, '&')
		}
		b = append(b, name...)
		b = append(b, '=')
		b = appendURIEncoded(b, value, false)
	}
	add(qAlgorithm, q.algorithm)
	add(qCredential, q.credential)
	add(qDate, q.date)
	add(qExpires, q.expires)
	add(qSignedHeaders, q.signedHeaders)
	add(qSignature, q.signature)
	return string(b)
}
