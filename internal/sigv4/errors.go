package sigv4

import (
	"errors"
	"strings"
	"time"
)

// The kinds of failure. Every error that Verify returns for a bad request is an
// *Error whose Kind is exactly one of these, so errors.Is(err, ErrX) selects the
// AWS exception to answer with. Each kind's Error() is that exception's name (the
// JSON "__type"), e.g. "InvalidSignatureException", so a server can write
// e.Kind.Error() into the response without a table of its own.
var (
	// ErrMissingAuthentication: no Authorization header and no query signature.
	ErrMissingAuthentication = errors.New("MissingAuthenticationTokenException")
	// ErrIncompleteSignature: an Authorization header or query signature that is
	// malformed or lacks a part.
	ErrIncompleteSignature = errors.New("IncompleteSignatureException")
	// ErrUnrecognizedClient: an unknown or inactive access key id, or a session token.
	ErrUnrecognizedClient = errors.New("UnrecognizedClientException")
	// ErrInvalidSignature: a signature mismatch, clock skew, an expired presigned
	// request, or a credential scoped to another date, region or service.
	ErrInvalidSignature = errors.New("InvalidSignatureException")
)

// ErrUnknownAccessKey is what a SecretLookup returns for an access key id it does
// not know (or an inactive one).
var ErrUnknownAccessKey = errors.New("sigv4: unknown access key")

// Error is the concrete type of every authentication failure Verify reports.
// Kind is one of the Err* kinds above and Message the text AWS sends in the
// response's "message" member; Error() returns Message unchanged. Messages never
// contain the secret, the derived signing key or the expected signature.
type Error struct {
	Kind    error
	Message string
}

// Error returns the AWS message.
func (e *Error) Error() string { return e.Message }

// Is reports whether target is e's Kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

func fail(kind error, msg string) *Error { return &Error{Kind: kind, Message: msg} }

func incomplete(msg string) *Error { return fail(ErrIncompleteSignature, msg) }

func invalid(msg string) *Error { return fail(ErrInvalidSignature, msg) }

// AWS wording for the documented failures (reference errors.md §5–§7, the IAM
// SigV4 troubleshooting page, and messages observed from the live service).
const (
	msgMissingAuthentication = "Missing Authentication Token"
	msgInvalidToken          = "The security token included in the request is invalid."
	msgMismatch              = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgEmptyAuthorization = "Authorization header cannot be empty."
	msgMissingEqualSign   = "The signature contains an invalid key=value pair (missing equal-sign) in Authorization header."
	msgRequiresCredential = "Authorization header requires 'Credential' parameter."
	msgRequiresSignature  = "Authorization header requires 'Signature' parameter."
	msgRequiresSigned     = "Authorization header requires 'SignedHeaders' parameter."
	msgRequiresDate       = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	msgHostNotSigned      = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgMalformedCred      = `Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	terminator            = "aws4_request"
)

// requiresMessage joins the "requires" sentences for the missing Authorization
// parts the way AWS does: one sentence per missing part, in AWS's order. AWS
// also appends " Authorization=<the header>"; Trent leaves that out so that a
// Basic or Bearer credential sent by mistake is never echoed into responses or
// logs.
func requiresMessage(missing uint8, haveDate bool) string {
	var parts []string
	if missing&hasCredential != 0 {
		parts = append(parts, msgRequiresCredential)
	}
	if missing&hasSignature != 0 {
		parts = append(parts, msgRequiresSignature)
	}
	if missing&hasSignedHeaders != 0 {
		parts = append(parts, msgRequiresSigned)
	}
	if !haveDate {
		parts = append(parts, msgRequiresDate)
	}
	return strings.Join(parts, " ")
}

func errUnsupportedAlgorithm(alg string) *Error {
	return incomplete("Unsupported AWS 'algorithm': '" + quote(alg) + "'.")
}

func errBadDate(v string) *Error {
	return incomplete("Date must be in ISO-8601 'basic format'. Got '" + quote(v) +
		"'. See http://en.wikipedia.org/wiki/ISO_8601")
}

func errNotSigned(header string) *Error {
	return incomplete("'" + quote(header) + "' must be a 'SignedHeader' in the AWS Authorization.")
}

func errScopeDate(scopeDate, reqDate, amzDate string) *Error {
	return invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
		quote(scopeDate) + "' != '" + reqDate + "', from '" + amzDate + "'.")
}

func errScopeRegion(region string) *Error {
	return invalid("Credential should be scoped to a valid region, not '" + quote(region) + "'.")
}

func errScopeService(want string) *Error {
	return invalid("Credential should be scoped to correct service: '" + want + "'.")
}

func errScopeTerminator(got string) *Error {
	return invalid("Credential should be scoped with a valid terminator: '" + terminator + "', not '" + quote(got) + "'.")
}

// errExpired and errNotYetCurrent reproduce the live service's clock messages,
// e.g. "Signature expired: 20240820T230143Z is now earlier than 20240820T230302Z
// (20240820T230802Z - 5 min.)". window is MaxSkew, or X-Amz-Expires for a
// presigned request, so the same sentence also reports presigned expiry.
func errExpired(amzDate string, now time.Time, window time.Duration) *Error {
	return invalid("Signature expired: " + amzDate + " is now earlier than " + isoBasic(now.Add(-window)) +
		" (" + isoBasic(now) + " - " + windowText(window) + ")")
}

func errNotYetCurrent(amzDate string, now time.Time, skew time.Duration) *Error {
	return invalid("Signature not yet current: " + amzDate + " is still later than " + isoBasic(now.Add(skew)) +
		" (" + isoBasic(now) + " + " + windowText(skew) + ")")
}

// quote makes client-supplied text safe to echo in a message: printable ASCII
// only (anything else becomes '?') and at most 64 bytes, so that a message can
// neither carry control characters into logs nor grow with the request.
func quote(s string) string {
	const limit = 64
	clean := len(s) <= limit
	for i := 0; clean && i < len(s); i++ {
		clean = s[i] >= 0x20 && s[i] < 0x7f
	}
	if clean {
		return s
	}
	b := make([]byte, 0, limit+3)
	for i := 0; i < len(s) && i < limit; i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			c = '?'
		}
		b = append(b, c)
	}
	if len(s) > limit {
		b = append(b, "..."...)
	}
	return string(b)
}

// UnknownClient is the failure of a request signed with an access key that
// is not (or no longer) active: UnrecognizedClient, worded as AWS does. The
// server uses it when a key is deactivated or deleted between the
// signature check and the principal's lookup.
func UnknownClient() *Error { return fail(ErrUnrecognizedClient, msgInvalidToken) }
