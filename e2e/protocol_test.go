package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/sigv4"
)

// rawCall sends one KMS request built by hand, signed at signTime with the
// given secret unless secret is nil, and returns the status and the error
// body's __type and message.
func rawCall(t *testing.T, ep *endpoint, target, body, keyID string, secret []byte, signTime time.Time, mutate func(*http.Request)) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ep.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if secret != nil {
		sigv4.Sign(req, []byte(body), keyID, secret, region, "kms", signTime)
	}
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("response without x-amzn-RequestId")
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	json.Unmarshal(raw, &e)
	return resp.StatusCode, e.Type, e.Message
}

func TestAuthentication(t *testing.T) {
	ep := startServer(t)
	now := time.Now().UTC()
	secret := []byte(ep.Secret)
	const list = "TrentService.ListKeys"
	mismatch := "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	cases := []struct {
		name        string
		keyID       string
		secret      []byte
		at          time.Time
		mutate      func(*http.Request)
		typ, prefix string
	}{
		{"valid", ep.KeyID, secret, now, nil, "", ""},
		{"unsigned", "", nil, now, nil, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"wrong secret", ep.KeyID, []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), now, nil, "InvalidSignatureException", mismatch},
		{"unknown access key", "AKIAIOSFODNN7EXAMPLE", secret, now, nil, "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"six minutes in the past", ep.KeyID, secret, now.Add(-6 * time.Minute), nil, "InvalidSignatureException", "Signature expired: "},
		{"six minutes in the future", ep.KeyID, secret, now.Add(6 * time.Minute), nil, "InvalidSignatureException", "Signature not yet current: "},
		{"body changed after signing", ep.KeyID, secret, now, func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"Limit":2}`))
			r.ContentLength = 11
		}, "InvalidSignatureException", mismatch},
		{"malformed authorization", ep.KeyID, secret, now, func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00")
		}, "IncompleteSignatureException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, typ, msg := rawCall(t, ep, list, `{}`, tc.keyID, tc.secret, tc.at, tc.mutate)
			if tc.typ == "" {
				if status != 200 {
					t.Fatalf("status %d %s: %s", status, typ, msg)
				}
				return
			}
			if status != 400 || typ != tc.typ || !strings.HasPrefix(msg, tc.prefix) {
				t.Fatalf("got %d %s: %q; want 400 %s: %q...", status, typ, msg, tc.typ, tc.prefix)
			}
		})
	}
}

func TestProtocolErrors(t *testing.T) {
	ep := startServer(t)
	now := time.Now().UTC()
	secret := []byte(ep.Secret)
	cases := []struct {
		name, target, body string
		status             int
		typ, msg           string
	}{
		{"unknown operation", "TrentService.MakeCoffee", `{}`, 400, "UnknownOperationException", ""},
		{"missing target", "", `{}`, 400, "UnknownOperationException", ""},
		{"other service prefix", "DynamoDB_20120810.ListTables", `{}`, 400, "UnknownOperationException", ""},
		{"malformed JSON", "TrentService.ListKeys", `{"Limit":`, 400, "SerializationException", ""},
		{"wrong type", "TrentService.ListKeys", `{"Limit":"ten"}`, 400, "SerializationException", ""},
		{"missing required member", "TrentService.DescribeKey", `{}`, 400, "ValidationException",
			"1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
		{"length", "TrentService.DescribeKey", `{"KeyId":"` + strings.Repeat("k", 2049) + `"}`, 400, "ValidationException", ""},
		{"range", "TrentService.ListKeys", `{"Limit":1001}`, 400, "ValidationException",
			"1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"pattern", "TrentService.CreateAlias", `{"AliasName":"alias/bad name","TargetKeyId":"x"}`, 400, "ValidationException", ""},
		{"enum", "TrentService.CreateKey", `{"KeyUsage":"BREW"}`, 400, "ValidationException", ""},
		{"two violations", "TrentService.CreateAlias", `{}`, 400, "ValidationException",
			"2 validation errors detected: Value null at 'aliasName' failed to satisfy constraint: Member must not be null; Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null"},
		{"pending window", "TrentService.ScheduleKeyDeletion", `{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","PendingWindowInDays":6}`, 400, "ValidationException", "PendingWindowInDays must be between 7 and 30"},
		{"unsupported operation", "TrentService.ReplicateKey", `{"KeyId":"x","ReplicaRegion":"us-west-2"}`, 400, "UnsupportedOperationException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, typ, msg := rawCall(t, ep, tc.target, tc.body, ep.KeyID, secret, now, nil)
			if status != tc.status || typ != tc.typ || (tc.msg != "" && msg != tc.msg) {
				t.Fatalf("got %d %s: %q; want %d %s: %q", status, typ, msg, tc.status, tc.typ, tc.msg)
			}
		})
	}
	t.Run("body too large", func(t *testing.T) {
		big := `{"Description":"` + strings.Repeat("x", 2<<20) + `"}`
		status, typ, _ := rawCall(t, ep, "TrentService.CreateKey", big, ep.KeyID, secret, now, nil)
		if status != http.StatusRequestEntityTooLarge || typ != "RequestEntityTooLargeException" {
			t.Fatalf("got %d %s", status, typ)
		}
	})
	t.Run("validation before authentication leaks nothing", func(t *testing.T) {
		_, typ, _ := rawCall(t, ep, "TrentService.DescribeKey", `{}`, "", nil, now, nil)
		if typ != "MissingAuthenticationTokenException" {
			t.Fatalf("unsigned invalid request answered %s", typ)
		}
	})
}
