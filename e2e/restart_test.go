package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// TestRestart stops the server, with SIGTERM and then with SIGKILL right
// after acknowledged writes, and checks that a server started on the same
// data dir has every acknowledged key, alias and state, and decrypts.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := startProcess(t, dir)
	c := p.client()
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("survivor")})
	if err != nil {
		t.Fatal(err)
	}
	id := key.KeyMetadata.KeyId
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/survivor"), TargetKeyId: id}); err != nil {
		t.Fatal(err)
	}
	remember(t, []byte("restart-survivor plaintext"))
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/survivor"), Plaintext: []byte("restart-survivor plaintext")})
	if err != nil {
		t.Fatal(err)
	}
	p.stop(t)

	// A graceful restart keeps everything, and the credentials.
	p = startProcess(t, dir)
	c = p.client()
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "restart-survivor plaintext" {
		t.Fatalf("Decrypt after restart = %+v, %v", dec, err)
	}

	// Acknowledged writes survive kill -9 issued right after the response.
	var want []string
	for range 10 {
		k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, aws.ToString(k.KeyMetadata.KeyId))
	}
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/survivor"), TargetKeyId: aws.String(want[0])}); err != nil {
		t.Fatal(err)
	}
	p.kill()

	p = startProcess(t, dir)
	c = p.client()
	got := map[string]bool{}
	for pg := kms.NewListKeysPaginator(c, &kms.ListKeysInput{}); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			got[aws.ToString(k.KeyId)] = true
		}
	}
	for _, w := range append(want, aws.ToString(id)) {
		if !got[w] {
			t.Errorf("key %s lost by kill -9", w)
		}
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	if err != nil || d.KeyMetadata.KeyState != "Disabled" {
		t.Fatalf("state after kill -9: %+v, %v", d, err)
	}
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/survivor")})
	if err != nil || aws.ToString(d.KeyMetadata.KeyId) != want[0] {
		t.Fatalf("alias after kill -9 points at %v, %v", d, err)
	}
	if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	dec, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "restart-survivor plaintext" {
		t.Fatalf("Decrypt after kill -9 = %+v, %v", dec, err)
	}
}
