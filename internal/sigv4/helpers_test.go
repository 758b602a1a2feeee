package sigv4

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testAKID   = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testRegion = "us-east-1"
	testHost   = "kms.us-east-1.amazonaws.com"
)

// testNow is the server's clock in the KMS-level tests.
var testNow = time.Date(2024, 8, 20, 23, 8, 2, 0, time.UTC)

// staticLookup knows a fixed set of access keys.
func staticLookup(keys map[string]string) SecretLookup {
	return func(_ context.Context, id string) ([]byte, error) {
		s, ok := keys[id]
		if !ok {
			return nil, ErrUnknownAccessKey
		}
		return []byte(s), nil
	}
}

func kmsVerifier() *Verifier {
	return &Verifier{
		Service: "kms",
		Region:  testRegion,
		Now:     func() time.Time { return testNow },
		Lookup:  staticLookup(map[string]string{testAKID: testSecret}),
	}
}

// kmsRequest is an unsigned KMS call as an SDK would build it.
func kmsRequest(t testing.TB, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "https://"+testHost+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "TrentService.Encrypt")
	return r
}

var kmsBody = []byte(`{"KeyId":"alias/example","Plaintext":"aGVsbG8="}`)

// signedKMSRequest is kmsRequest signed by Sign at time at.
func signedKMSRequest(t testing.TB, at time.Time) *http.Request {
	r := kmsRequest(t, kmsBody)
	Sign(r, kmsBody, testAKID, []byte(testSecret), testRegion, "kms", at)
	return r
}

// wantError fails unless err is an *Error of the given kind and message.
func wantError(t *testing.T, err error, kind error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	if !errors.Is(err, kind) || e.Kind != kind {
		t.Errorf("kind = %v, want %v", e.Kind, kind)
	}
	if msg != "" && e.Message != msg {
		t.Errorf("message =\n%q\nwant\n%q", e.Message, msg)
	}
}

// parseRawRequest turns a test-suite .req/.sreq file into the request a Go
// server would hand to a handler: header values trimmed, Host moved to r.Host,
// RequestURI holding the request-target verbatim (which may contain a space or
// raw UTF-8, as in get-space and get-utf8), obsolete folded lines joined with a
// space as net/textproto does.
func parseRawRequest(t *testing.T, raw string) (*http.Request, []byte) {
	t.Helper()
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	head, body, _ := strings.Cut(raw, "\n\n")
	lines := strings.Split(head, "\n")
	first := lines[0]
	sp, last := strings.IndexByte(first, ' '), strings.LastIndexByte(first, ' ')
	if sp < 0 || last <= sp {
		t.Fatalf("bad request line %q", first)
	}
	target := first[sp+1 : last]
	h := http.Header{}
	var key string
	for _, l := range lines[1:] {
		if l != "" && (l[0] == ' ' || l[0] == '\t') {
			vals := h[key]
			vals[len(vals)-1] += " " + strings.TrimSpace(l)
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("bad header line %q", l)
		}
		key = textproto.CanonicalMIMEHeaderKey(k)
		h[key] = append(h[key], strings.TrimSpace(v))
	}
	path, query, _ := strings.Cut(target, "?")
	r := &http.Request{
		Method:     first[:sp],
		RequestURI: target,
		URL:        &url.URL{Path: path, RawQuery: query},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Host:       h.Get("Host"),
	}
	delete(h, "Host")
	return r, []byte(body)
}
