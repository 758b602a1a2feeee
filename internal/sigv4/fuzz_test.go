package sigv4

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// signedSeeds returns Authorization headers and presigned queries produced by
// Sign and Presign, with the values they were made from.
func signedSeeds(t testing.TB) (headers, queries []string) {
	for i, at := range []time.Time{testNow, time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)} {
		r := kmsRequest(t, kmsBody)
		if i == 1 {
			r.Header.Set("X-Amz-Meta", "x")
		}
		Sign(r, kmsBody, testAKID, []byte(testSecret), "eu-central-1", "kms", at)
		headers = append(headers, r.Header.Get("Authorization"))
		p := kmsRequest(t, kmsBody)
		p.URL.RawQuery = "a=b&c"
		Presign(p, kmsBody, testAKID, []byte(testSecret), "eu-central-1", "kms", at, time.Duration(i+1)*time.Hour)
		queries = append(queries, p.URL.RawQuery)
	}
	return headers, queries
}

// FuzzParseAuthorization checks that the header parser never panics, only
// fails with IncompleteSignature, and round-trips: what it accepts, formatted
// again, parses to the same values. Headers made by Sign must parse to
// exactly the values Sign put in.
func FuzzParseAuthorization(f *testing.F) {
	headers, _ := signedSeeds(f)
	for _, h := range headers {
		p, err := parseAuthorization(h)
		c, ok := parseCredential(p.credential)
		if err != nil || p.missing != 0 || p.scheme != "" || !ok || c.accessKeyID != testAKID ||
			c.region != "eu-central-1" || c.service != "kms" || len(p.signature) != 64 || p.signedHeaders == "" ||
			formatAuthorization(p.credential, p.signedHeaders, p.signature) != h {
			f.Fatalf("Sign's header %q did not round-trip: %+v %v", h, p, err)
		}
		f.Add(h)
	}
	for _, s := range []string{"", "AWS4-HMAC-SHA256", "Basic Zm9vOmJhcg==", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e,Signature",
		"AWS4-HMAC-SHA256 ,,, Credential==,SignedHeaders=;;,Signature= x", "AWS4-ECDSA-P256-SHA256 Credential=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseAuthorization(s)
		if err != nil {
			if err.Kind != ErrIncompleteSignature || err.Message == "" {
				t.Fatalf("unexpected error %#v", err)
			}
			return
		}
		if c, ok := parseCredential(h.credential); ok && c.accessKeyID+"/"+c.scope != h.credential {
			t.Fatalf("credential %q split into %+v", h.credential, c)
		}
		if h.scheme != "" || h.missing != 0 {
			return
		}
		again, err := parseAuthorization(formatAuthorization(h.credential, h.signedHeaders, h.signature))
		if err != nil || again != h {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", s, again, err, h)
		}
	})
}

// FuzzParsePresigned does the same for the query form: no panic, only
// IncompleteSignature errors, and encodePresigned(parse(q)) parses back to
// the same values. Queries made by Presign must parse to what it put in.
func FuzzParsePresigned(f *testing.F) {
	_, queries := signedSeeds(f)
	for _, q := range queries {
		p, ok, err := parsePresigned(q)
		if err != nil || !ok || p.algorithm != algorithm || p.expires == "" || len(p.signature) != 64 ||
			p.credential[:len(testAKID)] != testAKID || p.signedHeaders == "" {
			f.Fatalf("Presign's query %q did not round-trip: %+v %v", q, p, err)
		}
		f.Add(q)
	}
	for _, s := range []string{"", "X-Amz-Signature=", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Algorithm=x",
		"X%2DAmz%2DCredential=a%2Fb&X-Amz-Date=%zz", "X-Amz-Expires=-0&X-Amz-Security-Token"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, ok, err := parsePresigned(s)
		if err != nil {
			if err.Kind != ErrIncompleteSignature || err.Message == "" || !ok {
				t.Fatalf("unexpected error %#v (ok=%v)", err, ok)
			}
			return
		}
		if !ok {
			return
		}
		// encodePresigned leaves out empty values (and the token), so the
		// round trip is only defined when every required value is non-empty.
		q.hasToken = false
		if q.credential != "" && q.date != "" && q.signedHeaders != "" && q.signature != "" {
			again, ok, err := parsePresigned(encodePresigned(q))
			if err != nil || !ok || again != q {
				t.Fatalf("round trip of %q: %+v, %v; want %+v", s, again, err, q)
			}
		}
		// The canonical query of an arbitrary query must not panic either.
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/", RawQuery: s}, Header: http.Header{}}
		_ = appendCanonicalRequest(nil, new(scratch), r, nil, "host", true)
	})
}

// FuzzVerify feeds arbitrary request-targets, Authorization headers and dates
// through Verify: it must never panic, and every failure must be an *Error
// (Lookup never fails here, so nothing else may come back).
func FuzzVerify(f *testing.F) {
	headers, queries := signedSeeds(f)
	f.Add("/", headers[0], "20240820T230802Z")
	f.Add("/?"+queries[0], "", "")
	f.Add("//a/./b/../%zz/ሴ?x=%&y+z", "AWS4-HMAC-SHA256 Credential=a//////, SignedHeaders=host;;x-amz-date, Signature=", "Tue, 20 Aug 2024 23:08:02 GMT")
	v := kmsVerifier()
	f.Fuzz(func(t *testing.T, target, authorization, date string) {
		path, query, _ := strings.Cut(target, "?")
		r := &http.Request{Method: "POST", RequestURI: target, URL: &url.URL{Path: path, RawQuery: query},
			Host: testHost, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}}}
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		if _, err := v.Verify(context.Background(), r, kmsBody); err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Message == "" {
				t.Fatalf("err = %#v", err)
			}
		}
	})
}
