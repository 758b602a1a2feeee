// Package sigv4 verifies AWS Signature Version 4 on incoming requests, as the
// KMS front end does for the AWS JSON 1.1 protocol, and answers failures with
// the exception names and messages AWS uses, so that SDK clients see the
// errors they would see from AWS.
//
// # Sections
//
// Forms, Order of checks, Errors, Canonicalisation, Decisions where AWS is
// undocumented, Performance.
//
// # Forms
//
// A request is authenticated by its Authorization header when it has one:
//
//	Authorization: AWS4-HMAC-SHA256 Credential=AKID/YYYYMMDD/region/kms/aws4_request, SignedHeaders=..., Signature=...
//
// with its time in X-Amz-Date (or, failing that, Date). Otherwise it is
// authenticated by the presigned query form: X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Signature and optionally X-Amz-Expires
// (1..604800 s). A request with neither is MissingAuthenticationTokenException.
//
// # Order of checks
//
// Verify checks, in order, and stops at the first failure:
//
//  1. syntax: an empty or malformed Authorization header, missing parameters or
//     date, a malformed Credential or X-Amz-Date, a bad X-Amz-Expires
//     (IncompleteSignatureException);
//  2. that host and every x-amz-* header sent are signed (IncompleteSignature);
//  3. the credential scope: date = the request's YYYYMMDD, region = Verifier.Region,
//     service = Verifier.Service, terminator aws4_request (InvalidSignature);
//  4. the clock: ±MaxSkew, or X-Amz-Expires after X-Amz-Date for a presigned
//     request (InvalidSignature, "Signature expired: ..." / "Signature not yet
//     current: ...");
//  5. a session token, which Trent does not issue yet (UnrecognizedClient);
//  6. the access key, through Lookup (UnrecognizedClient when unknown);
//  7. the signature, compared in constant time (InvalidSignature).
//
// The secret lookup comes after every check that is free, so an unsigned or
// stale request never reaches the key store.
//
// # Errors
//
// Failures are *Error values whose Kind is one of ErrMissingAuthentication,
// ErrIncompleteSignature, ErrUnrecognizedClient and ErrInvalidSignature; the
// kind's Error() is the exception name for "__type" and the *Error's Error() is
// the message. Wording comes from the reference (errors.md §5–§7) and from
// messages observed from the live service; where the IAM guide gives only a
// template ("Credential should be scoped to a valid Region, not region-code")
// the live service's wording is used ("... valid region, not 'eu-west-1'.", as
// reported in aws-sdk-ruby#508 and aws-sdk-go#156). Client-supplied text that
// is echoed (a region, a date) is restricted to printable ASCII and 64 bytes.
// No message contains the secret, the signing key or the expected signature.
//
// # Canonicalisation
//
// The canonical request follows the AWS test suite (all of whose vectors but
// one pass, see suite_test.go) and aws-sdk-go-v2: the path is taken as the
// client sent it (RequestURI), normalised (dot segments and empty segments
// removed, as for every service but S3) and URI-encoded once more; the query
// is decoded, re-encoded with the RFC 3986 unreserved set and sorted; header
// values are trimmed with runs of spaces collapsed and repeated headers joined
// by ","; host is r.Host; the payload hash is always hex(sha256(body)).
//
// # Decisions where AWS is undocumented
//
//   - X-Amz-Content-Sha256 is ignored and UNSIGNED-PAYLOAD is not accepted, in
//     either form: that is S3's convention; other services, presigned STS URLs
//     included, sign the payload hash.
//   - Every x-amz-* header sent must be signed (IAM guide), because
//     X-Amz-Target selects the operation; content-type need not be (it carries
//     no authority). AWS's front end is laxer here.
//   - A header of another scheme (Basic, Bearer) gets AWS's own answer for it,
//     IncompleteSignatureException listing the missing parameters, without the
//     " Authorization=<header>" suffix AWS appends, so credentials sent by
//     mistake are never echoed. SigV4a with all parameters present gets
//     IncompleteSignature "Unsupported AWS 'algorithm': '...'".
//   - Duplicate and unknown Authorization parameters, duplicate query
//     parameters and X-Amz-Expires out of range are IncompleteSignature with
//     Trent's (S3-derived where S3 has one) wording.
//   - An expired presigned request gets the clock message with X-Amz-Expires
//     as the window: "Signature expired: T is now earlier than N-E (N - 15 min.)".
//   - With both an Authorization header and query parameters, the header wins.
//   - A session token (header or query), signed or not, is UnrecognizedClient
//     "The security token included in the request is invalid."
//
// # Performance
//
// Verify runs on every request. Signing keys are cached per access key, date,
// region and service (bounded; a changed secret misses), the canonical request
// and string to sign are built in one pooled buffer, and nothing on the
// success path uses fmt, regexp or time.Format. BenchmarkVerify measures it.
package sigv4
