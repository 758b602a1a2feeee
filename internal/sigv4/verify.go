package sigv4

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// SecretLookup returns the secret access key for an access key id. It is
// called on every request, so implementations cache. Returning
// ErrUnknownAccessKey (possibly wrapped) makes Verify answer
// ErrUnrecognizedClient; any other error is returned wrapped (not an *Error) so
// the server can answer with an internal error. Verify does not keep or modify
// the returned slice beyond the call, except for a private copy in its
// signing-key cache.
type SecretLookup func(ctx context.Context, accessKeyID string) (secret []byte, err error)

// defaultMaxSkew is the clock window of the live KMS endpoint (errors.md §6).
const defaultMaxSkew = 5 * time.Minute

// Verifier checks SigV4 signatures of incoming requests for one service in
// one region. Set the exported fields before first use and do not change or
// copy the Verifier afterwards (it holds a cache guarded by a mutex). Verify
// is safe for concurrent use.
type Verifier struct {
	Service string           // signing name, "kms"
	Region  string           // the server's region; credentials scoped elsewhere are refused
	MaxSkew time.Duration    // allowed clock difference; 5 minutes if zero
	Now     func() time.Time // clock; time.Now if nil
	Lookup  SecretLookup     // required

	// AnyRegion accepts the region the credential scope names, whatever
	// it is (but not an empty one), instead of Region: for services whose
	// callers sign with their own region (an XKS proxy serves KMS in
	// every region; the key derivation still binds the signature to it).
	AnyRegion bool

	keys keyCache
}

// authInput is what Verify needs from either form of authentication.
type authInput struct {
	cred          credential
	signedHeaders string
	signature     string
	amzDate       string    // timestamp line of the string to sign
	date          time.Time // amzDate parsed
	presigned     bool
	expires       time.Duration // presigned validity; 0 when X-Amz-Expires is absent
	hasToken      bool
}

// Verify authenticates r, whose full body is body (already read by the
// caller; r.Body is not touched), and returns the access key id of the signer.
//
// A request that fails authentication gets an *Error (see the package
// documentation for the order of the checks and the messages). A failing
// Lookup (wrapped) or a missing one is reported as a plain error instead, for
// the server to answer as an internal failure.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (accessKeyID string, err error) {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	var in authInput
	var e *Error
	if vals := r.Header["Authorization"]; len(vals) > 0 {
		// Only the first Authorization header is considered; the signature
		// binds the request to that one.
		e = headerAuth(r, vals[0], &in)
	} else {
		e = queryAuthInput(r, &in)
	}
	if e == nil {
		e = v.check(r, &in, now())
	}
	if e != nil {
		return "", e
	}
	if v.Lookup == nil {
		return "", errors.New("sigv4: Verifier.Lookup is nil")
	}
	secret, lerr := v.Lookup(ctx, in.cred.accessKeyID)
	if lerr != nil {
		if errors.Is(lerr, ErrUnknownAccessKey) {
			return "", fail(ErrUnrecognizedClient, msgInvalidToken)
		}
		return "", fmt.Errorf("sigv4: looking up the secret of access key %q: %w", quote(in.cred.accessKeyID), lerr)
	}
	key := v.keys.signingKey(in.cred.accessKeyID, in.cred.date, in.cred.region, in.cred.service, secret)
	want := signature(r, body, in.signedHeaders, in.presigned, in.amzDate, in.cred.scope, key)
	if !hmac.Equal(want[:], []byte(in.signature)) {
		return "", invalid(msgMismatch)
	}
	return in.cred.accessKeyID, nil
}

// check runs the checks that need neither the secret nor the body, cheapest
// and most specific first: signed-header requirements (IncompleteSignature),
// credential scope, then the clock (InvalidSignature), then the session token
// (UnrecognizedClient, as Trent has no temporary credentials yet).
func (v *Verifier) check(r *http.Request, in *authInput, now time.Time) *Error {
	if !hasSignedHeader(in.signedHeaders, "host", false) {
		return incomplete(msgHostNotSigned)
	}
	if h := unsignedAmzHeader(r.Header, in.signedHeaders); h != "" {
		return errNotSigned(h)
	}
	region := v.Region
	if v.AnyRegion {
		if in.cred.region == "" {
			return errScopeRegion("")
		}
		region = in.cred.region
	}
	if e := checkScope(in.cred, in.amzDate, region, v.Service); e != nil {
		return e
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = defaultMaxSkew
	}
	if e := checkClock(in.date, in.amzDate, now, skew, in.expires); e != nil {
		return e
	}
	if in.hasToken {
		return fail(ErrUnrecognizedClient, msgInvalidToken)
	}
	return nil
}

// headerAuth fills in from an Authorization header.
func headerAuth(r *http.Request, value string, in *authInput) *Error {
	h, e := parseAuthorization(value)
	if e != nil {
		return e
	}
	haveDate := len(r.Header["X-Amz-Date"]) > 0 || len(r.Header["Date"]) > 0
	if h.scheme != "" {
		if msg := requiresMessage(h.missing, haveDate); msg != "" {
			return incomplete(msg)
		}
		return errUnsupportedAlgorithm(h.scheme)
	}
	if h.missing != 0 || !haveDate {
		return incomplete(requiresMessage(h.missing, haveDate))
	}
	cred, ok := parseCredential(h.credential)
	if !ok {
		return incomplete(msgMalformedCred)
	}
	t, amzDate, e := requestTime(r.Header)
	if e != nil {
		return e
	}
	*in = authInput{
		cred:          cred,
		signedHeaders: h.signedHeaders,
		signature:     h.signature,
		amzDate:       amzDate,
		date:          t,
		hasToken:      len(r.Header["X-Amz-Security-Token"]) > 0,
	}
	return nil
}

// queryAuthInput fills in from a presigned query, or reports
// MissingAuthenticationToken when the request carries no signature at all.
func queryAuthInput(r *http.Request, in *authInput) *Error {
	q, ok, e := parsePresigned(r.URL.RawQuery)
	if e != nil {
		return e
	}
	if !ok {
		return fail(ErrMissingAuthentication, msgMissingAuthentication)
	}
	cred, ok := parseCredential(q.credential)
	if !ok {
		return incomplete(msgMalformedCred)
	}
	t, ok := parseAmzDate(q.date)
	if !ok {
		return errBadDate(q.date)
	}
	var expires time.Duration
	if q.expires != "" {
		if expires, e = parseExpires(q.expires); e != nil {
			return e
		}
	}
	*in = authInput{
		cred:          cred,
		signedHeaders: q.signedHeaders,
		signature:     q.signature,
		amzDate:       q.date,
		date:          t,
		presigned:     true,
		expires:       expires,
		hasToken:      q.hasToken || len(r.Header["X-Amz-Security-Token"]) > 0,
	}
	return nil
}
