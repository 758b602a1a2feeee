package sigv4

import "strings"

// algorithm is the only signing algorithm Trent accepts. KMS's model lists only
// aws.auth#sigv4, so SigV4a (AWS4-ECDSA-P256-SHA256) is refused.
const algorithm = "AWS4-HMAC-SHA256"

// Bits for the three Authorization parameters, used both to detect duplicates
// and to report the missing ones.
const (
	hasCredential uint8 = 1 << iota
	hasSignedHeaders
	hasSignature
	hasAll = hasCredential | hasSignedHeaders | hasSignature
)

// authHeader is a syntactically parsed Authorization header. Values are
// substrings of the header and are not validated beyond their syntax.
type authHeader struct {
	credential    string
	signedHeaders string
	signature     string
	// missing has a bit set for each parameter that did not appear.
	missing uint8
	// scheme is set when the header is not AWS4-HMAC-SHA256 (Basic, Bearer,
	// SigV4a, ...); Verify then reports it as AWS does for such headers.
	scheme string
}

// parseAuthorization parses the value of an Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=<hex>
//
// Parameters are separated by commas with optional spaces, and each must be
// Name=value with an exact, case-sensitive name. It fails on an empty header, a
// parameter without '=', a repeated parameter or an unknown one; absent
// parameters are reported in h.missing rather than as an error because AWS
// folds them into one message together with the date check, which needs the
// request's other headers.
//
// For a header of another scheme no parameter error is raised: the live
// service answers "Authorization: Bearer ..." with the list of missing AWS
// parameters, so only h.missing and h.scheme are filled in.
func parseAuthorization(v string) (h authHeader, err *Error) {
	v = trimBlank(v)
	if v == "" {
		return h, incomplete(msgEmptyAuthorization)
	}
	scheme, rest, _ := strings.Cut(v, " ")
	if scheme != algorithm {
		h.scheme = scheme
	}
	var seen uint8
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = trimBlank(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		bit := paramBit(name)
		if h.scheme != "" {
			// Foreign scheme: only note which AWS parameters are there.
			if ok {
				seen |= bit
			}
			continue
		}
		switch {
		case !ok:
			return authHeader{}, incomplete(msgMissingEqualSign)
		case bit == 0:
			return authHeader{}, incomplete("Authorization header contains an unknown parameter '" + quote(name) + "'.")
		case seen&bit != 0:
			return authHeader{}, incomplete("Authorization header contains a duplicate '" + name + "' parameter.")
		}
		seen |= bit
		switch bit {
		case hasCredential:
			h.credential = value
		case hasSignedHeaders:
			h.signedHeaders = value
		case hasSignature:
			h.signature = value
		}
	}
	h.missing = hasAll &^ seen
	return h, nil
}

// trimBlank strips spaces and tabs from both ends (strings.Trim would build a
// character set on every call).
func trimBlank(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func paramBit(name string) uint8 {
	switch name {
	case "Credential":
		return hasCredential
	case "SignedHeaders":
		return hasSignedHeaders
	case "Signature":
		return hasSignature
	}
	return 0
}

// formatAuthorization is the inverse of parseAuthorization, in the layout the
// AWS SDKs emit.
func formatAuthorization(credential, signedHeaders, signature string) string {
	return algorithm + " Credential=" + credential + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature
}

// credential is a parsed Credential value, AKID/YYYYMMDD/region/service/aws4_request.
type credential struct {
	accessKeyID string
	date        string
	region      string
	service     string
	terminator  string
	// scope is date/region/service/terminator exactly as the client sent it,
	// which is the third line of the string to sign.
	scope string
}

// parseCredential splits a Credential value. The four scope fields are taken
// from the right so that the access key id is everything before them; it fails
// when there are fewer than five fields or the access key id is empty. The
// fields themselves are checked against the Verifier by checkScope.
func parseCredential(s string) (c credential, ok bool) {
	rest := s
	var fields [4]string
	for i := 3; i >= 0; i-- {
		j := strings.LastIndexByte(rest, '/')
		if j < 0 {
			return credential{}, false
		}
		fields[i], rest = rest[j+1:], rest[:j]
	}
	if rest == "" {
		return credential{}, false
	}
	return credential{
		accessKeyID: rest,
		date:        fields[0],
		region:      fields[1],
		service:     fields[2],
		terminator:  fields[3],
		scope:       s[len(rest)+1:],
	}, true
}

// checkScope compares a credential scope with the request date and the
// Verifier's region and service, in the order the IAM troubleshooting guide
// lists them. reqDate is the YYYYMMDD of the request's signing time.
func checkScope(c credential, amzDate, region, service string) *Error {
	if reqDate := amzDate[:8]; c.date != reqDate {
		return errScopeDate(c.date, reqDate, amzDate)
	}
	if c.region != region {
		return errScopeRegion(c.region)
	}
	if c.service != service {
		return errScopeService(service)
	}
	if c.terminator != terminator {
		return errScopeTerminator(c.terminator)
	}
	return nil
}
