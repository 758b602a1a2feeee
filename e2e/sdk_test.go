package e2e

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// apiError asserts that err is an AWS API error with the given code and,
// if msg is not empty, message.
func apiError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("got %s: %q, want %s: %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func TestSDKKeyLifecycle(t *testing.T) {
	ctx := context.Background()
	c := startServer(t).client()

	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String("e2e key"),
		Tags:        []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("sec")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	md := created.KeyMetadata
	id := aws.ToString(md.KeyId)
	arn := "arn:aws:kms:" + region + ":" + accountID + ":key/" + id
	if aws.ToString(md.Arn) != arn || md.KeyState != types.KeyStateEnabled || !md.Enabled ||
		md.KeySpec != types.KeySpecSymmetricDefault || md.KeyUsage != types.KeyUsageTypeEncryptDecrypt ||
		md.Origin != types.OriginTypeAwsKms || md.KeyManager != types.KeyManagerTypeCustomer ||
		aws.ToString(md.AWSAccountId) != accountID || md.CreationDate == nil ||
		len(aws.ToString(md.CurrentKeyMaterialId)) != 64 || aws.ToBool(md.MultiRegion) {
		t.Fatalf("CreateKey metadata: %+v", md)
	}

	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/e2e"), TargetKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{id, arn, "alias/e2e", "arn:aws:kms:" + region + ":" + accountID + ":alias/e2e"} {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		if err != nil || aws.ToString(d.KeyMetadata.KeyId) != id || aws.ToString(d.KeyMetadata.Description) != "e2e key" {
			t.Fatalf("DescribeKey(%s) = %+v, %v", ref, d, err)
		}
	}

	if _, err := c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: aws.String(id), Description: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
	var disabled *types.DisabledException
	if !errors.As(err, &disabled) {
		t.Fatalf("Encrypt on a disabled key: %v", err)
	}
	apiError(t, err, "DisabledException", arn+" is disabled.")
	if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}

	sched, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(arn), PendingWindowInDays: aws.Int32(7)})
	if err != nil || sched.KeyState != types.KeyStatePendingDeletion || aws.ToInt32(sched.PendingWindowInDays) != 7 ||
		aws.ToString(sched.KeyId) != arn || sched.DeletionDate == nil {
		t.Fatalf("ScheduleKeyDeletion = %+v, %v", sched, err)
	}
	d, _ := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if d.KeyMetadata.Enabled || d.KeyMetadata.DeletionDate == nil || aws.ToInt32(d.KeyMetadata.PendingDeletionWindowInDays) != 7 {
		t.Fatalf("pending deletion metadata: %+v", d.KeyMetadata)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
	apiError(t, err, "KMSInvalidStateException", arn+" is pending deletion.")
	if _, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if d.KeyMetadata.KeyState != types.KeyStateDisabled || d.KeyMetadata.DeletionDate != nil {
		t.Fatalf("after CancelKeyDeletion: %+v", d.KeyMetadata)
	}

	ext, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	if err != nil || ext.KeyMetadata.KeyState != types.KeyStatePendingImport || ext.KeyMetadata.Origin != types.OriginTypeExternal || ext.KeyMetadata.Enabled {
		t.Fatalf("CreateKey EXTERNAL = %+v, %v", ext, err)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: ext.KeyMetadata.KeyId, Plaintext: []byte("x")})
	apiError(t, err, "KMSInvalidStateException", aws.ToString(ext.KeyMetadata.Arn)+" is pending import.")
}

func TestSDKCrypto(t *testing.T) {
	ctx := context.Background()
	c := startServer(t).client()
	a, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	ec := map[string]string{"purpose": "e2e", "n": "1"}
	remember(t, []byte("attack at dawn"))
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: a.KeyMetadata.KeyId, Plaintext: []byte("attack at dawn"), EncryptionContext: ec})
	if err != nil || aws.ToString(enc.KeyId) != aws.ToString(a.KeyMetadata.Arn) || enc.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
		t.Fatalf("Encrypt = %+v, %v", enc, err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	if err != nil || string(dec.Plaintext) != "attack at dawn" || aws.ToString(dec.KeyId) != aws.ToString(a.KeyMetadata.Arn) ||
		aws.ToString(dec.KeyMaterialId) != aws.ToString(a.KeyMetadata.CurrentKeyMaterialId) {
		t.Fatalf("Decrypt = %+v, %v", dec, err)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"purpose": "e2e"}})
	apiError(t, err, "InvalidCiphertextException", "")
	tampered := bytes.Clone(enc.CiphertextBlob)
	tampered[len(tampered)-3] ^= 0x40
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: tampered, EncryptionContext: ec})
	apiError(t, err, "InvalidCiphertextException", "")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: b.KeyMetadata.KeyId})
	apiError(t, err, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")

	re, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{
		CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec,
		DestinationKeyId: b.KeyMetadata.KeyId, DestinationEncryptionContext: map[string]string{"to": "b"},
	})
	if err != nil || aws.ToString(re.SourceKeyId) != aws.ToString(a.KeyMetadata.Arn) || aws.ToString(re.KeyId) != aws.ToString(b.KeyMetadata.Arn) {
		t.Fatalf("ReEncrypt = %+v, %v", re, err)
	}
	dec, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob, EncryptionContext: map[string]string{"to": "b"}})
	if err != nil || string(dec.Plaintext) != "attack at dawn" {
		t.Fatalf("Decrypt after ReEncrypt = %+v, %v", dec, err)
	}

	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: a.KeyMetadata.KeyId, KeySpec: types.DataKeySpecAes256})
	if err != nil || len(dk.Plaintext) != 32 {
		t.Fatalf("GenerateDataKey = %+v, %v", dk, err)
	}
	remember(t, dk.Plaintext)
	dec, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
	if err != nil || !bytes.Equal(dec.Plaintext, dk.Plaintext) {
		t.Fatalf("Decrypt of data key = %x, %v", dec.Plaintext, err)
	}
	dkw, err := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: a.KeyMetadata.KeyId, NumberOfBytes: aws.Int32(64)})
	if err != nil {
		t.Fatal(err)
	}
	dec, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dkw.CiphertextBlob})
	if err != nil || len(dec.Plaintext) != 64 {
		t.Fatalf("Decrypt of data key without plaintext = %d bytes, %v", len(dec.Plaintext), err)
	}
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: a.KeyMetadata.KeyId})
	apiError(t, err, "ValidationException", "Please specify either number of bytes or key spec.")

	r, err := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1024)})
	if err != nil || len(r.Plaintext) != 1024 {
		t.Fatalf("GenerateRandom = %d bytes, %v", len(r.Plaintext), err)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: a.KeyMetadata.KeyId, Plaintext: make([]byte, 4097)})
	apiError(t, err, "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
}

func TestSDKAliasesTagsPaging(t *testing.T) {
	ctx := context.Background()
	c := startServer(t).client()
	var ids []string
	for range 5 {
		k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(k.KeyMetadata.KeyId))
	}
	seen := 0
	for p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(2)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Keys) > 2 {
			t.Fatalf("page of %d keys with Limit 2", len(page.Keys))
		}
		seen += len(page.Keys)
	}
	if seen != 5 {
		t.Fatalf("paginated %d keys, want 5", seen)
	}
	_, err := c.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("not-a-marker")})
	apiError(t, err, "InvalidMarkerException", "")

	for i, name := range []string{"alias/one", "alias/two", "alias/three"} {
		if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: aws.String(ids[i%2])}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/one"), TargetKeyId: aws.String(ids[0])})
	apiError(t, err, "AlreadyExistsException", "")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: aws.String(ids[0])})
	apiError(t, err, "NotAuthorizedException", "")
	if _, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/two"), TargetKeyId: aws.String(ids[4])}); err != nil {
		t.Fatal(err)
	}
	la, err := c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String(ids[4])})
	if err != nil || len(la.Aliases) != 1 || aws.ToString(la.Aliases[0].AliasName) != "alias/two" || la.Truncated {
		t.Fatalf("ListAliases by key = %+v, %v", la, err)
	}
	if _, err := c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/two")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/two")})
	apiError(t, err, "NotFoundException", "Alias arn:aws:kms:"+region+":"+accountID+":alias/two is not found.")
	all, err := c.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil || len(all.Aliases) != 2 {
		t.Fatalf("ListAliases = %+v, %v", all, err)
	}

	tags := []types.Tag{{TagKey: aws.String("b"), TagValue: aws.String("2")}, {TagKey: aws.String("a"), TagValue: aws.String("1")}}
	if _, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(ids[0]), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(ids[0]), Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("")}}})
	apiError(t, err, "TagException", "Tags beginning with aws: are reserved")
	if _, err := c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(ids[0]), TagKeys: []string{"b"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(ids[0])})
	if err != nil || len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].TagKey) != "a" || aws.ToString(lt.Tags[0].TagValue) != "1" {
		t.Fatalf("ListResourceTags = %+v, %v", lt, err)
	}
}
