package sigv4

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestVerifyHeaderForm covers every outcome of the header form with the exact
// kind and message a client receives.
func TestVerifyHeaderForm(t *testing.T) {
	const auth4 = "AWS4-HMAC-SHA256 "
	cred := "Credential=" + testAKID + "/20240820/us-east-1/kms/aws4_request"
	sig := "Signature=" + strings.Repeat("0", 64)
	signedAt := func(at time.Time) func(*testing.T) *http.Request {
		return func(t *testing.T) *http.Request { return signedKMSRequest(t, at) }
	}
	withAuth := func(v string) func(*testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			r.Header.Set("Authorization", v)
			return r
		}
	}
	signWith := func(akid, secret, region, service string, edit func(*http.Request)) func(*testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := kmsRequest(t, kmsBody)
			if edit != nil {
				edit(r)
			}
			Sign(r, kmsBody, akid, []byte(secret), region, service, testNow)
			return r
		}
	}
	tests := []struct {
		name    string
		request func(*testing.T) *http.Request
		body    []byte // kmsBody when nil
		kind    error  // nil: must verify
		msg     string
	}{
		{name: "valid", request: signedAt(testNow)},
		{name: "5 minutes in the past is still valid", request: signedAt(testNow.Add(-5 * time.Minute))},
		{name: "5 minutes in the future is still valid", request: signedAt(testNow.Add(5 * time.Minute))},
		{name: "no authentication", request: func(t *testing.T) *http.Request { return kmsRequest(t, kmsBody) },
			kind: ErrMissingAuthentication, msg: "Missing Authentication Token"},
		{name: "unknown access key", request: signWith("AKIAUNKNOWN", testSecret, testRegion, "kms", nil),
			kind: ErrUnrecognizedClient, msg: "The security token included in the request is invalid."},
		{name: "wrong secret", request: signWith(testAKID, "not the secret", testRegion, "kms", nil),
			kind: ErrInvalidSignature, msg: msgMismatch},
		{name: "body changed after signing", request: signedAt(testNow), body: []byte(`{"KeyId":"alias/other"}`),
			kind: ErrInvalidSignature, msg: msgMismatch},
		{name: "signed header changed after signing", request: func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			r.Header.Set("X-Amz-Target", "TrentService.Decrypt")
			return r
		}, kind: ErrInvalidSignature, msg: msgMismatch},
		{name: "host changed after signing", request: func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			r.Host = "kms.eu-west-1.amazonaws.com"
			return r
		}, kind: ErrInvalidSignature, msg: msgMismatch},
		{name: "upper-case signature", request: func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
			return r
		}, kind: ErrInvalidSignature, msg: msgMismatch},
		{name: "x-amz header added after signing", request: func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			r.Header.Set("X-Amz-Foo", "bar")
			return r
		}, kind: ErrIncompleteSignature, msg: "'X-Amz-Foo' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "host not signed", request: func(t *testing.T) *http.Request {
			r := kmsRequest(t, kmsBody)
			r.Header.Set("X-Amz-Date", "20240820T230802Z")
			key := newSigningKey(deriveSigningKey([]byte(testSecret), "20240820", testRegion, "kms"))
			const signed = "content-type;x-amz-date;x-amz-target"
			s := signature(r, kmsBody, signed, false, "20240820T230802Z", "20240820/us-east-1/kms/aws4_request", key)
			r.Header.Set("Authorization", formatAuthorization(testAKID+"/20240820/us-east-1/kms/aws4_request", signed, string(s[:])))
			return r
		}, kind: ErrIncompleteSignature, msg: msgHostNotSigned},
		{name: "6 minutes in the past", request: signedAt(testNow.Add(-6 * time.Minute)), kind: ErrInvalidSignature,
			msg: "Signature expired: 20240820T230202Z is now earlier than 20240820T230302Z (20240820T230802Z - 5 min.)"},
		{name: "6 minutes in the future", request: signedAt(testNow.Add(6 * time.Minute)), kind: ErrInvalidSignature,
			msg: "Signature not yet current: 20240820T231402Z is still later than 20240820T231302Z (20240820T230802Z + 5 min.)"},
		{name: "wrong region", request: signWith(testAKID, testSecret, "eu-west-1", "kms", nil), kind: ErrInvalidSignature,
			msg: "Credential should be scoped to a valid region, not 'eu-west-1'."},
		{name: "wrong service", request: signWith(testAKID, testSecret, testRegion, "s3", nil), kind: ErrInvalidSignature,
			msg: "Credential should be scoped to correct service: 'kms'."},
		{name: "wrong scope date", request: func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			r.Header.Set("X-Amz-Date", "20240821T000100Z")
			return r
		}, kind: ErrInvalidSignature, msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date " +
			"from HTTP: '20240820' != '20240821', from '20240821T000100Z'."},
		{name: "wrong terminator", request: func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "aws4_request", "aws4_reqest", 1))
			return r
		}, kind: ErrInvalidSignature, msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqest'."},
		{name: "session token", request: signWith(testAKID, testSecret, testRegion, "kms", func(r *http.Request) {
			r.Header.Set("X-Amz-Security-Token", "FwoGZXIvYXdzEXAMPLE")
		}), kind: ErrUnrecognizedClient, msg: msgInvalidToken},
		{name: "Date header instead of X-Amz-Date", request: func(t *testing.T) *http.Request {
			r := kmsRequest(t, kmsBody)
			r.Header.Set("Date", "Tue, 20 Aug 2024 23:08:02 GMT")
			key := newSigningKey(deriveSigningKey([]byte(testSecret), "20240820", testRegion, "kms"))
			const signed = "content-type;date;host;x-amz-target"
			s := signature(r, kmsBody, signed, false, "20240820T230802Z", "20240820/us-east-1/kms/aws4_request", key)
			r.Header.Set("Authorization", formatAuthorization(testAKID+"/20240820/us-east-1/kms/aws4_request", signed, string(s[:])))
			return r
		}},
		{name: "X-Amz-Date wins over Date", request: func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			r.Header.Set("Date", "Mon, 01 Jan 2001 00:00:00 GMT")
			return r
		}},
		{name: "empty Authorization", request: withAuth(""), kind: ErrIncompleteSignature, msg: "Authorization header cannot be empty."},
		{name: "algorithm only", request: withAuth("AWS4-HMAC-SHA256"), kind: ErrIncompleteSignature,
			msg: msgRequiresCredential + " " + msgRequiresSignature + " " + msgRequiresSigned},
		{name: "no Credential", request: withAuth(auth4 + "SignedHeaders=host, " + sig), kind: ErrIncompleteSignature, msg: msgRequiresCredential},
		{name: "no Signature", request: withAuth(auth4 + cred + ", SignedHeaders=host"), kind: ErrIncompleteSignature, msg: msgRequiresSignature},
		{name: "no SignedHeaders", request: withAuth(auth4 + cred + ", " + sig), kind: ErrIncompleteSignature, msg: msgRequiresSigned},
		{name: "missing equal sign", request: withAuth(auth4 + cred + ", SignedHeaders, " + sig), kind: ErrIncompleteSignature,
			msg: "The signature contains an invalid key=value pair (missing equal-sign) in Authorization header."},
		{name: "duplicate parameter", request: withAuth(auth4 + cred + ", SignedHeaders=host, " + sig + ", " + sig),
			kind: ErrIncompleteSignature, msg: "Authorization header contains a duplicate 'Signature' parameter."},
		{name: "unknown parameter", request: withAuth(auth4 + cred + ", SignedHeaders=host, Foo=bar, " + sig),
			kind: ErrIncompleteSignature, msg: "Authorization header contains an unknown parameter 'Foo'."},
		{name: "malformed Credential", request: withAuth(auth4 + "Credential=" + testAKID + "/20240820/us-east-1/kms, SignedHeaders=host, " + sig),
			kind: ErrIncompleteSignature, msg: msgMalformedCred},
		{name: "Basic scheme", request: withAuth("Basic dXNlcjpwYXNzd29yZA=="), kind: ErrIncompleteSignature,
			msg: msgRequiresCredential + " " + msgRequiresSignature + " " + msgRequiresSigned},
		{name: "Bearer scheme without a date", request: func(t *testing.T) *http.Request {
			r := kmsRequest(t, kmsBody)
			r.Header.Set("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x")
			return r
		}, kind: ErrIncompleteSignature, msg: msgRequiresCredential + " " + msgRequiresSignature + " " + msgRequiresSigned + " " + msgRequiresDate},
		{name: "SigV4a", request: withAuth("AWS4-ECDSA-P256-SHA256 Credential=" + testAKID + "/20240820/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=3045"),
			kind: ErrIncompleteSignature, msg: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'."},
		{name: "no date header", request: func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			r.Header.Del("X-Amz-Date")
			return r
		}, kind: ErrIncompleteSignature, msg: msgRequiresDate},
		{name: "extended-format X-Amz-Date", request: func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			r.Header.Set("X-Amz-Date", "2024-08-20T23:08:02Z")
			return r
		}, kind: ErrIncompleteSignature, msg: "Date must be in ISO-8601 'basic format'. Got '2024-08-20T23:08:02Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "impossible X-Amz-Date", request: func(t *testing.T) *http.Request {
			r := signedKMSRequest(t, testNow)
			r.Header.Set("X-Amz-Date", "20240231T000000Z")
			return r
		}, kind: ErrIncompleteSignature, msg: "Date must be in ISO-8601 'basic format'. Got '20240231T000000Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if body == nil {
				body = kmsBody
			}
			id, err := kmsVerifier().Verify(context.Background(), tc.request(t), body)
			if tc.kind == nil {
				if err != nil || id != testAKID {
					t.Fatalf("Verify = %q, %v; want %q", id, err, testAKID)
				}
				return
			}
			if id != "" {
				t.Errorf("access key %q returned with an error", id)
			}
			wantError(t, err, tc.kind, tc.msg)
		})
	}
}

// TestVerifyLookupFailures checks that a failing or missing Lookup is an
// internal error, not an *Error a client would be shown.
func TestVerifyLookupFailures(t *testing.T) {
	boom := errors.New("store unavailable")
	tests := []struct {
		name   string
		lookup SecretLookup
		want   error
	}{
		{"store error", func(context.Context, string) ([]byte, error) { return nil, boom }, boom},
		{"nil Lookup", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := kmsVerifier()
			v.Lookup = tc.lookup
			_, err := v.Verify(context.Background(), signedKMSRequest(t, testNow), kmsBody)
			var e *Error
			if err == nil || errors.As(err, &e) {
				t.Fatalf("err = %v, want a non-*Error", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, does not wrap %v", err, tc.want)
			}
		})
	}
}
