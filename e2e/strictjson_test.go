package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Regression tests for issue 10, items 2, 5 and 6: request JSON is decoded
// as AWS does — member names case-sensitively, duplicates and invalid
// UTF-8 refused, required members that may be empty still required.

// signedJSON sends body to operation op signed with aws-sdk-go-v2's SigV4
// signer and returns the status, the response body and the error __type.
func signedJSON(t *testing.T, ep *endpoint, op, body string) (int, []byte, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ep.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: ep.KeyID, SecretAccessKey: ep.Secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "kms", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e struct {
		Type string `json:"__type"`
	}
	json.Unmarshal(raw, &e)
	return resp.StatusCode, raw, e.Type
}

func newKeyID(t *testing.T, c *kms.Client, desc string) string {
	t.Helper()
	k, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String(desc)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(k.KeyMetadata.KeyId)
}

// TestStrictJSONAuditLeak: members named like sensitive ones in another
// case are not the members (the required one is reported missing) and
// their values never reach the audit log.
func TestStrictJSONAuditLeak(t *testing.T) {
	ep := startServer(t)
	key := newKeyID(t, ep.client(), "")
	secret := base64.StdEncoding.EncodeToString([]byte("strict-json-secret-plaintext"))
	token := "strict-json-secret-grant-token"
	tests := []struct {
		name, op, body string
		status         int
		errType, msg   string
	}{
		{"lower-case plaintext", "Encrypt", `{"KeyId":"` + key + `","plaintext":"` + secret + `"}`, 400, "ValidationException",
			"1 validation error detected: Value null at 'plaintext' failed to satisfy constraint: Member must not be null"},
		{"lower-case ciphertext", "Decrypt", `{"ciphertextBlob":"` + secret + `"}`, 400, "ValidationException",
			"1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"},
		{"lower-case grant tokens", "Encrypt", `{"KeyId":"` + key + `","Plaintext":"SGk=","grantTokens":["` + token + `"]}`, 200, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, raw, typ := signedJSON(t, ep, tc.op, tc.body)
			var e struct{ Message string }
			json.Unmarshal(raw, &e)
			if status != tc.status || typ != tc.errType || e.Message != tc.msg {
				t.Fatalf("%s: %d %s %q, want %d %s %q", tc.op, status, typ, e.Message, tc.status, tc.errType, tc.msg)
			}
		})
	}
	log := waitAuditRecords(t, filepath.Join(ep.DataDir, "audit.log"), `"eventName":"Decrypt"`, 3)
	for _, s := range []string{secret, "strict-json-secret", token} {
		if strings.Contains(log, s) {
			t.Errorf("audit log holds %q:\n%s", s, log)
		}
	}
}

// waitAuditRecords waits until the audit log holds n records containing
// marker or any record after them (records reach the file asynchronously
// in some configurations), and returns the whole log.
func waitAuditRecords(t *testing.T, path, marker string, n int) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		raw, _ := os.ReadFile(path)
		if bytes.Contains(raw, []byte(marker)) && bytes.Count(raw, []byte("\n")) >= n {
			return string(raw)
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit log %s: no %s record after 5s:\n%s", path, marker, raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestStrictJSONMemberNames: DisableKey acts on the exact KeyId only, a
// repeated member is a SerializationException, and invalid UTF-8 or an
// unpaired surrogate in an encryption context is refused.
func TestStrictJSONMemberNames(t *testing.T) {
	ctx := context.Background()
	ep := startServer(t)
	c := ep.client()
	a, b := newKeyID(t, c, "a"), newKeyID(t, c, "b")
	tests := []struct {
		name, op, body string
		status         int
		errType        string
		disabled       map[string]bool
	}{
		{"folded second key id", "DisableKey", `{"KeyId":"` + a + `","keyid":"` + b + `"}`, 200, "", map[string]bool{a: true, b: false}},
		{"duplicate key id", "EnableKey", `{"KeyId":"` + a + `","KeyId":"` + b + `"}`, 400, "SerializationException", map[string]bool{a: true, b: false}},
		{"invalid UTF-8 context", "Encrypt", `{"KeyId":"` + b + `","Plaintext":"SGk=","EncryptionContext":{"k":"` + "\xff" + `"}}`, 400, "SerializationException", nil},
		{"unpaired surrogate context", "Encrypt", `{"KeyId":"` + b + `","Plaintext":"SGk=","EncryptionContext":{"k":"\udc00"}}`, 400, "SerializationException", nil},
		{"duplicate context key", "Encrypt", `{"KeyId":"` + b + `","Plaintext":"SGk=","EncryptionContext":{"k":"1","k":"2"}}`, 400, "SerializationException", nil},
		{"valid surrogate pair", "Encrypt", `{"KeyId":"` + b + `","Plaintext":"SGk=","EncryptionContext":{"k":"\ud83d\ude00"}}`, 200, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, raw, typ := signedJSON(t, ep, tc.op, tc.body)
			if status != tc.status || typ != tc.errType {
				t.Fatalf("%d %s (%s), want %d %q", status, typ, raw, tc.status, tc.errType)
			}
			for id, disabled := range tc.disabled {
				d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
				if err != nil {
					t.Fatal(err)
				}
				if got := d.KeyMetadata.KeyState == types.KeyStateDisabled; got != disabled {
					t.Errorf("key %s state %s, want disabled=%v", id, d.KeyMetadata.KeyState, disabled)
				}
			}
		})
	}
}

// TestStrictJSONEmptyRequired: Description and TagValue are required but
// may be "": absent is a ValidationException that changes nothing, ""
// clears the description or is stored and listed as "TagValue":"".
func TestStrictJSONEmptyRequired(t *testing.T) {
	ctx := context.Background()
	ep := startServer(t)
	c := ep.client()
	key := newKeyID(t, c, "keep me")
	description := func() string {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(d.KeyMetadata.Description)
	}
	steps := []struct {
		name, op, body string
		status         int
		errType        string
		check          func(t *testing.T)
	}{
		{"description absent", "UpdateKeyDescription", `{"KeyId":"` + key + `"}`, 400, "ValidationException", func(t *testing.T) {
			if d := description(); d != "keep me" {
				t.Fatalf("description %q, want it unchanged", d)
			}
		}},
		{"description empty", "UpdateKeyDescription", `{"KeyId":"` + key + `","Description":""}`, 200, "", func(t *testing.T) {
			if d := description(); d != "" {
				t.Fatalf("description %q, want it cleared", d)
			}
		}},
		{"tag value absent", "TagResource", `{"KeyId":"` + key + `","Tags":[{"TagKey":"absent"}]}`, 400, "ValidationException", nil},
		{"tag value empty", "TagResource", `{"KeyId":"` + key + `","Tags":[{"TagKey":"empty","TagValue":""}]}`, 200, "", func(t *testing.T) {
			_, raw, _ := signedJSON(t, ep, "ListResourceTags", `{"KeyId":"`+key+`"}`)
			if !bytes.Contains(raw, []byte(`{"TagKey":"empty","TagValue":""}`)) || bytes.Contains(raw, []byte("absent")) {
				t.Fatalf("ListResourceTags = %s, want exactly the tag with \"TagValue\":\"\"", raw)
			}
			l, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(key)})
			if err != nil || len(l.Tags) != 1 || l.Tags[0].TagValue == nil || *l.Tags[0].TagValue != "" {
				t.Fatalf("SDK ListResourceTags = %+v, %v", l, err)
			}
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			status, raw, typ := signedJSON(t, ep, st.op, st.body)
			if status != st.status || typ != st.errType {
				t.Fatalf("%d %s (%s), want %d %q", status, typ, raw, st.status, st.errType)
			}
			if st.check != nil {
				st.check(t)
			}
		})
	}
}
