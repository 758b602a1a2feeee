package sigv4

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestVerifyQueryForm covers the presigned form: expiry, the clock, and each
// malformed-parameter answer.
func TestVerifyQueryForm(t *testing.T) {
	presigned := func(at time.Time, expires time.Duration) func(*testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := kmsRequest(t, kmsBody)
			Presign(r, kmsBody, testAKID, []byte(testSecret), testRegion, "kms", at, expires)
			return r
		}
	}
	// editQuery presigns at testNow for 15 minutes, then rewrites the query.
	editQuery := func(edit func(string) string) func(*testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := presigned(testNow, 15*time.Minute)(t)
			r.URL.RawQuery = edit(r.URL.RawQuery)
			return r
		}
	}
	replace := func(old, new string) func(*testing.T) *http.Request {
		return editQuery(func(q string) string { return strings.Replace(q, old, new, 1) })
	}
	drop := func(name string) func(*testing.T) *http.Request {
		return editQuery(func(q string) string { return withoutParam(q, name) })
	}
	must := func(names ...string) string {
		var m []string
		for _, n := range names {
			m = append(m, "AWS query-string parameters must include '"+n+"'. Re-examine the query-string parameters.")
		}
		return strings.Join(m, " ")
	}
	tests := []struct {
		name    string
		request func(*testing.T) *http.Request
		kind    error
		msg     string
	}{
		{name: "valid", request: presigned(testNow, 15*time.Minute)},
		{name: "long-lived, signed an hour ago", request: presigned(testNow.Add(-time.Hour), 2*time.Hour)},
		{name: "expired", request: presigned(testNow.Add(-2*time.Minute), time.Minute), kind: ErrInvalidSignature,
			msg: "Signature expired: 20240820T230602Z is now earlier than 20240820T230702Z (20240820T230802Z - 1 min.)"},
		{name: "expired, window in seconds", request: presigned(testNow.Add(-2*time.Minute), 90*time.Second), kind: ErrInvalidSignature,
			msg: "Signature expired: 20240820T230602Z is now earlier than 20240820T230632Z (20240820T230802Z - 90 sec.)"},
		{name: "not yet current", request: presigned(testNow.Add(6*time.Minute), time.Hour), kind: ErrInvalidSignature,
			msg: "Signature not yet current: 20240820T231402Z is still later than 20240820T231302Z (20240820T230802Z + 5 min.)"},
		{name: "no X-Amz-Expires, within the skew window", request: presigned(testNow.Add(-4*time.Minute), 0)},
		{name: "no X-Amz-Expires, beyond the skew window", request: presigned(testNow.Add(-6*time.Minute), 0), kind: ErrInvalidSignature,
			msg: "Signature expired: 20240820T230202Z is now earlier than 20240820T230302Z (20240820T230802Z - 5 min.)"},
		{name: "X-Amz-Expires removed after signing", request: drop(qExpires), kind: ErrInvalidSignature, msg: msgMismatch},
		{name: "signature changed", request: editQuery(flipLastHexDigit), kind: ErrInvalidSignature, msg: msgMismatch},
		{name: "parameter added after signing", request: editQuery(func(q string) string { return "Extra=1&" + q }),
			kind: ErrInvalidSignature, msg: msgMismatch},
		{name: "no signature", request: drop(qSignature), kind: ErrIncompleteSignature, msg: must(qSignature)},
		{name: "no date nor signed headers", request: editQuery(func(q string) string {
			return withoutParam(withoutParam(q, qDate), qSignedHeaders)
		}), kind: ErrIncompleteSignature, msg: must(qSignedHeaders, qDate)},
		{name: "only a signature", request: func(t *testing.T) *http.Request {
			r := kmsRequest(t, kmsBody)
			r.URL.RawQuery = "X-Amz-Signature=abc"
			return r
		}, kind: ErrIncompleteSignature, msg: must(qAlgorithm, qCredential, qSignedHeaders, qDate)},
		{name: "repeated parameter", request: editQuery(func(q string) string { return q + "&X-Amz-Date=20240820T230802Z" }),
			kind: ErrIncompleteSignature, msg: "AWS query-string parameters must not repeat 'X-Amz-Date'."},
		{name: "other algorithm", request: replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"),
			kind: ErrIncompleteSignature, msg: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'."},
		{name: "expires not a number", request: replace("X-Amz-Expires=900", "X-Amz-Expires=soon"),
			kind: ErrIncompleteSignature, msg: "X-Amz-Expires should be a number"},
		{name: "expires empty", request: replace("X-Amz-Expires=900", "X-Amz-Expires="),
			kind: ErrIncompleteSignature, msg: "X-Amz-Expires should be a number"},
		{name: "expires negative", request: replace("X-Amz-Expires=900", "X-Amz-Expires=-1"),
			kind: ErrIncompleteSignature, msg: "X-Amz-Expires must be non-negative"},
		{name: "expires zero", request: replace("X-Amz-Expires=900", "X-Amz-Expires=0"),
			kind: ErrIncompleteSignature, msg: "X-Amz-Expires must be greater than 0"},
		{name: "expires over a week", request: replace("X-Amz-Expires=900", "X-Amz-Expires=604801"),
			kind: ErrIncompleteSignature, msg: "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{name: "bad date", request: replace("X-Amz-Date=20240820T230802Z", "X-Amz-Date=20240820"),
			kind: ErrIncompleteSignature, msg: "Date must be in ISO-8601 'basic format'. Got '20240820'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "wrong region", request: replace("us-east-1", "eu-west-1"),
			kind: ErrInvalidSignature, msg: "Credential should be scoped to a valid region, not 'eu-west-1'."},
		{name: "session token", request: editQuery(func(q string) string { return q + "&X-Amz-Security-Token=FwoG" }),
			kind: ErrUnrecognizedClient, msg: msgInvalidToken},
		{name: "header form wins", request: func(t *testing.T) *http.Request {
			r := presigned(testNow, 15*time.Minute)(t)
			r.Header.Set("Authorization", "Basic dXNlcjpwYXNzd29yZA==")
			return r
		}, kind: ErrIncompleteSignature, msg: msgRequiresCredential + " " + msgRequiresSignature + " " + msgRequiresSigned + " " + msgRequiresDate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := kmsVerifier().Verify(context.Background(), tc.request(t), kmsBody)
			if tc.kind == nil {
				if err != nil || id != testAKID {
					t.Fatalf("Verify = %q, %v", id, err)
				}
				return
			}
			wantError(t, err, tc.kind, tc.msg)
		})
	}
}

// TestPresignTwice checks that presigning an already presigned request
// replaces the authentication parameters instead of repeating them.
func TestPresignTwice(t *testing.T) {
	r := kmsRequest(t, kmsBody)
	r.URL.RawQuery = "keep=1"
	Presign(r, kmsBody, testAKID, []byte(testSecret), testRegion, "kms", testNow.Add(-time.Hour), time.Minute)
	Presign(r, kmsBody, testAKID, []byte(testSecret), testRegion, "kms", testNow, time.Minute)
	if n := strings.Count(r.URL.RawQuery, qSignature+"="); n != 1 || !strings.HasPrefix(r.URL.RawQuery, "keep=1&") {
		t.Fatalf("query %q", r.URL.RawQuery)
	}
	if _, err := kmsVerifier().Verify(context.Background(), r, kmsBody); err != nil {
		t.Fatal(err)
	}
}

// withoutParam removes every occurrence of a parameter from a raw query.
func withoutParam(q, name string) string {
	var kept []string
	for _, p := range strings.Split(q, "&") {
		if !strings.HasPrefix(p, name+"=") {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "&")
}
