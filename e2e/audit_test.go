package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/cli"
)

// TestAuditTrail checks that every request — successful, refused, and
// unauthenticated — leaves one record, without plaintext, and that
// `trent audit` reads them back.
func TestAuditTrail(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := startProcess(t, dir)
	c := p.client()
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("audited")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(k.KeyMetadata.Arn)
	secretText := "do-not-log-this-plaintext"
	remember(t, []byte(secretText))
	if _, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: []byte(secretText), EncryptionContext: map[string]string{"app": "audit"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/missing")}); err == nil {
		t.Fatal("DescribeKey of a missing alias succeeded")
	}
	rawCall(t, p.endpoint, "TrentService.ListKeys", `{}`, "", nil, time.Now(), nil) // unsigned
	p.stop(t)                                                                       // flushes the log

	var recs []*audit.Record
	if err := audit.Read(filepath.Join(dir, "audit.log"), audit.Filter{}, func(r *audit.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4", len(recs))
	}
	create, enc, denied, anon := recs[0], recs[1], recs[2], recs[3]
	if create.EventName != "CreateKey" || create.UserIdentity.Type != "Root" || create.UserIdentity.AccessKeyID != p.KeyID ||
		len(create.Resources) != 1 || create.Resources[0].ARN != arn || isNull(create.ResponseElements) || create.SourceIPAddress != "127.0.0.1" {
		t.Errorf("CreateKey record: %+v", create)
	}
	if enc.EventName != "Encrypt" || !strings.Contains(string(enc.RequestParameters), `"encryptionContext":{"app":"audit"}`) || !isNull(enc.ResponseElements) || enc.ErrorCode != "" {
		t.Errorf("Encrypt record: %+v", enc)
	}
	if denied.EventName != "DescribeKey" || denied.ErrorCode != "NotFoundException" || !denied.ReadOnly {
		t.Errorf("DescribeKey record: %+v", denied)
	}
	if anon.ErrorCode != "MissingAuthenticationTokenException" || anon.UserIdentity.ARN != "" || !isNull(anon.RequestParameters) {
		t.Errorf("unauthenticated record: %+v", anon)
	}
	raw, _ := json.Marshal(recs)
	if strings.Contains(string(raw), secretText) || strings.Contains(string(raw), "ZG8tbm90LWxvZy10aGlz") {
		t.Fatal("plaintext reached the audit log")
	}

	var out, errOut bytes.Buffer
	if code := cli.Main([]string{"audit", "--data-dir", dir, "--errors", "--json"}, &out, &errOut); code != 0 {
		t.Fatalf("trent audit exited %d: %s", code, errOut.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Fatalf("trent audit --errors printed %d records:\n%s", n, out.String())
	}
}

// isNull reports whether a recorded JSON member is absent or null.
func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }
