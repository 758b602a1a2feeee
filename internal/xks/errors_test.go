//go:build cgo

package xks

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestErrorTable produces every error of the specification's table that
// the proxy can give (see TestKeyUsageAndStatus for the key usage and
// state errors, TestSigV4 for AuthenticationFailedException,
// TestHealthUnavailable for DependencyTimeoutException): status and
// errorName, with a JSON body.
func TestErrorTable(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	c := f.as(0, 0)
	enc := map[string]any{"requestMetadata": meta(alice, "Encrypt"), "plaintext": []byte("x"), "encryptionAlgorithm": "AES_GCM"}
	with := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for kk, vv := range m {
			out[kk] = vv
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		path   string
		body   any
		status int
		error  string
	}{
		{"metadata without requestMetadata", keyPath("k1", "metadata"), map[string]any{}, 400, ValidationException},
		{"encrypt without requestMetadata", keyPath("k1", "encrypt"), with(enc, "requestMetadata", nil), 400, ValidationException},
		{"decrypt without requestMetadata", keyPath("k1", "decrypt"), map[string]any{"ciphertext": "eA=="}, 400, ValidationException},
		{"health without requestMetadata", prefixA + "/kms/xks/v1/health", map[string]any{}, 400, ValidationException},
		{"empty requestMetadata", keyPath("k1", "metadata"), map[string]any{"requestMetadata": map[string]any{}}, 400, ValidationException},
		{"null requestMetadata", keyPath("k1", "metadata"), []byte(`{"requestMetadata":null}`), 400, ValidationException},
		{"not JSON", keyPath("k1", "encrypt"), []byte(`{"requestMetadata":`), 400, ValidationException},
		{"plaintext not base64", keyPath("k1", "encrypt"), with(enc, "plaintext", "!!!"), 400, ValidationException},
		{"no plaintext", keyPath("k1", "encrypt"), with(enc, "plaintext", nil), 400, ValidationException},
		{"other algorithm", keyPath("k1", "encrypt"), with(enc, "encryptionAlgorithm", "AES_CBC"), 400, ValidationException},
		{"other CDIV algorithm", keyPath("k1", "encrypt"), with(enc, "ciphertextDataIntegrityValueAlgorithm", "MD5"), 400, ValidationException},
		{"decrypt without a tag", keyPath("k1", "decrypt"), map[string]any{"requestMetadata": meta(alice, "Decrypt"),
			"ciphertext": []byte("x"), "initializationVector": make([]byte, 12), "encryptionAlgorithm": "AES_GCM"}, 400, ValidationException},
		{"decrypt with a 16-byte IV", keyPath("k1", "decrypt"), map[string]any{"requestMetadata": meta(alice, "Decrypt"),
			"ciphertext": []byte("x"), "initializationVector": make([]byte, 16), "authenticationTag": make([]byte, 16),
			"encryptionAlgorithm": "AES_GCM"}, 400, InvalidCiphertextException},
		{"body too large", keyPath("k1", "encrypt"), with(enc, "plaintext", bytes.Repeat([]byte{1}, maxBody)), 400, ValidationException},
		{"key not configured", keyPath("no-such-key", "metadata"), map[string]any{"requestMetadata": meta(alice, "CreateKey")}, 404, KeyNotFoundException},
		{"key not in the token", keyPath("missing", "encrypt"), enc, 404, KeyNotFoundException},
		{"key not in the token, metadata", keyPath("missing", "metadata"), map[string]any{"requestMetadata": meta(alice, "CreateKey")}, 404, KeyNotFoundException},
		{"unknown API", keyPath("k1", "sign"), enc, 404, InvalidUriPathException},
		{"no API", prefixA + "/kms/xks/v1/keys", enc, 404, InvalidUriPathException},
		{"bad key id", keyPath("k*1", "encrypt"), enc, 404, InvalidUriPathException},
		{"unknown prefix", "/tenant-z/kms/xks/v1/keys/k1/encrypt", enc, 404, InvalidUriPathException},
		{"secondary authorization denies the principal", keyPath("guarded", "encrypt"), with(enc, "requestMetadata", meta(bob, "Encrypt")), 403, AccessDeniedException},
		{"secondary authorization denies the operation", keyPath("guarded", "decrypt"), map[string]any{"requestMetadata": meta(alice, "Decrypt"),
			"ciphertext": []byte("x"), "initializationVector": make([]byte, 12), "authenticationTag": make([]byte, 16),
			"encryptionAlgorithm": "AES_GCM"}, 403, AccessDeniedException},
		{"secondary authorization allows", keyPath("guarded", "encrypt"), with(enc, "requestMetadata", meta(alice, "GenerateDataKey")), 200, ""},
		{"secondary authorization, any principal", keyPath("guarded", "metadata"), map[string]any{"requestMetadata": meta(bob, "CreateKey")}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.must(tc.path, tc.body)
			if tc.error == "" {
				if r.status != 200 {
					t.Fatalf("%d %s", r.status, r.raw)
				}
				return
			}
			wantError(t, r, tc.status, tc.error)
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			if msg, _ := r.body["errorMessage"].(string); len(msg) >= 512 {
				t.Fatalf("errorMessage of %d characters", len(msg))
			}
		})
	}

	t.Run("GET is 405 on every API URI", func(t *testing.T) {
		g := f.as(0, 0)
		g.method = http.MethodGet
		for _, p := range []string{keyPath("k1", "metadata"), keyPath("k1", "encrypt"), keyPath("k1", "decrypt"), prefixA + "/kms/xks/v1/health"} {
			r := g.must(p, []byte{})
			if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != http.MethodPost {
				t.Fatalf("GET %s: %d %s", p, r.status, r.raw)
			}
		}
	})

	t.Run("GetHealthStatus is not subject to secondary authorization", func(t *testing.T) {
		// Every key of the store may deny bob; health still answers.
		r := c.must(prefixA+"/kms/xks/v1/health", map[string]any{"requestMetadata": meta(bob, "KmsHealthCheck")})
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})

	t.Run("denials are logged with the rule set", func(t *testing.T) {
		logMu.Lock()
		defer logMu.Unlock()
		if !strings.Contains(f.logs.String(), "secondary authorization denied") {
			t.Fatal("no log line for the denial")
		}
	})
}

// TestSigV4 checks the proxy's authentication: service kms-xks-proxy,
// any region, ±5 minutes, the body and every signed header bound, and each
// key store's own credentials only.
func TestSigV4(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	body := map[string]any{"requestMetadata": meta(alice, "CreateKey")}
	for _, tc := range []struct {
		name   string
		client func() *client
		ok     bool
	}{
		{"first credential", func() *client { return f.as(0, 0) }, true},
		{"second credential", func() *client { return f.as(0, 1) }, true},
		{"another region", func() *client { c := f.as(0, 0); c.region = "eu-west-1"; return c }, true},
		{"4 minutes skew", func() *client { c := f.as(0, 0); c.skew = 4 * time.Minute; return c }, true},
		{"wrong service", func() *client { c := f.as(0, 0); c.service = "kms"; return c }, false},
		{"6 minutes ahead", func() *client { c := f.as(0, 0); c.skew = 6 * time.Minute; return c }, false},
		{"6 minutes behind", func() *client { c := f.as(0, 0); c.skew = -6 * time.Minute; return c }, false},
		{"unknown access key", func() *client {
			c := f.as(0, 0)
			c.cred.AccessKeyID = "AAAAAAAAAAAAAAAAAAAAAAAAAA"
			return c
		}, false},
		{"wrong secret", func() *client {
			c := f.as(0, 0)
			c.cred.SecretAccessKey = f.cfg.Stores[0].Credentials[1].SecretAccessKey
			return c
		}, false},
		{"another store's credential", func() *client { c := f.as(1, 0); return c }, false},
		{"unsigned", func() *client { c := f.as(0, 0); c.noSign = true; return c }, false},
		{"tampered body", func() *client {
			c := f.as(0, 0)
			c.mutate = func(r *http.Request) {
				b := []byte(`{"requestMetadata":{"awsPrincipalArn":"x","kmsOperation":"CreateKey","kmsRequestId":"1"}}`)
				r.Body, r.ContentLength = nopCloser{bytes.NewReader(b)}, int64(len(b))
			}
			return c
		}, false},
		{"signed header changed", func() *client {
			c := f.as(0, 0)
			c.mutate = func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }
			return c
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.client().must(keyPath("k1", "metadata"), body)
			if tc.ok {
				if r.status != 200 {
					t.Fatalf("%d %s", r.status, r.raw)
				}
				return
			}
			wantError(t, r, 401, AuthenticationFailedException)
		})
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
