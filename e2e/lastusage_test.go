package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/server"
)

// TestGetKeyLastUsage drives GetKeyLastUsage through aws-sdk-go-v2 against
// a server process: an unused key answers an empty KeyLastUsage, a
// successful call is recorded with its request ID and audit event ID, a
// failed one is not, ReEncrypt counts for both keys, and the usage survives
// a graceful restart once the sweep has flushed it.
func TestGetKeyLastUsage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// The sweep flushes buffered usage; a short interval keeps the test short.
	p := startProcessWith(t, dir, nil, "--sweep-interval", "500ms")
	c := p.client()
	newKey := func() string {
		k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(k.KeyMetadata.KeyId)
	}
	last := func(c *kms.Client, ref string) *kms.GetKeyLastUsageOutput {
		t.Helper()
		out, err := c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: aws.String(ref)})
		if err != nil {
			t.Fatalf("GetKeyLastUsage(%s): %v", ref, err)
		}
		return out
	}
	a, b := newKey(), newKey()

	t.Run("Unused", func(t *testing.T) {
		out := last(c, a)
		u := out.KeyLastUsage
		if aws.ToString(out.KeyId) != a || u == nil || u.Operation != "" || u.Timestamp != nil || u.KmsRequestId != nil {
			t.Fatalf("unused key: %+v / %+v, want KeyId %s and an empty KeyLastUsage", out, u, a)
		}
		if out.KeyCreationDate == nil || out.TrackingStartDate == nil || out.TrackingStartDate.Before(*out.KeyCreationDate) {
			t.Fatalf("dates: creation %v, tracking start %v", out.KeyCreationDate, out.TrackingStartDate)
		}
	})

	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(a), Plaintext: []byte("used")})
	if err != nil {
		t.Fatal(err)
	}
	encID, _ := awsmiddleware.GetRequestIDMetadata(enc.ResultMetadata)
	damaged := append([]byte(nil), enc.CiphertextBlob...)
	damaged[len(damaged)-1] ^= 1 // the tag
	if _, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: damaged}); err == nil {
		t.Fatal("Decrypt of a damaged ciphertext succeeded")
	}
	wantEncrypt := func(t *testing.T, c *kms.Client) {
		t.Helper()
		u := last(c, "arn:aws:kms:"+region+":"+accountID+":key/"+a).KeyLastUsage
		if u == nil || u.Operation != types.KeyLastUsageTrackingOperationEncrypt || aws.ToString(u.KmsRequestId) != encID || u.Timestamp == nil {
			t.Fatalf("after Encrypt (%s) and a failed Decrypt: %+v", encID, u)
		}
		var eventName string
		if err := audit.Read(filepath.Join(dir, server.AuditFile), audit.Filter{}, func(r *audit.Record) error {
			if r.EventID == aws.ToString(u.CloudTrailEventId) {
				eventName = r.EventName + "/" + r.RequestID
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if eventName != "Encrypt/"+encID {
			t.Fatalf("CloudTrailEventId %s names %q in the audit log, want the Encrypt call", aws.ToString(u.CloudTrailEventId), eventName)
		}
	}
	t.Run("Encrypt", func(t *testing.T) { wantEncrypt(t, c) })

	t.Run("ReEncryptBothKeys", func(t *testing.T) {
		x := newKey()
		e, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(x), Plaintext: []byte("moved")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: e.CiphertextBlob, DestinationKeyId: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{x, b} {
			if op := last(c, id).KeyLastUsage.Operation; op != types.KeyLastUsageTrackingOperationReEncrypt {
				t.Errorf("key %s: Operation %q, want ReEncrypt", id, op)
			}
		}
	})

	t.Run("Errors", func(t *testing.T) {
		if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/lu"), TargetKeyId: aws.String(a)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: aws.String("alias/lu")})
		apiError(t, err, "NotFoundException", "Invalid keyId 'alias/lu'")
		unknown := "00000000-0000-4000-8000-000000000000"
		_, err = c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: aws.String(unknown)})
		apiError(t, err, "NotFoundException", "Key 'arn:aws:kms:"+region+":"+accountID+":key/"+unknown+"' does not exist")
	})

	// Let a sweep flush, then restart gracefully.
	time.Sleep(2 * time.Second)
	p.stop(t)
	p = startProcess(t, dir)
	t.Run("AfterRestart", func(t *testing.T) { wantEncrypt(t, p.client()) })
}
