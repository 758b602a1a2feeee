package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestGrantTokensOnEveryOperation checks the one grant-token check of the
// front end: every operation whose input has GrantTokens refuses a token
// Trent did not issue, before doing anything, and accepts one it did.
func TestGrantTokensOnEveryOperation(t *testing.T) {
	ctx := context.Background()
	c := startServer(t).client()
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := k.KeyMetadata.KeyId
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String("arn:aws:iam::" + accountID + ":root"),
		Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func(tokens []string) error{
		"Encrypt": func(tok []string) error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), GrantTokens: tok})
			return err
		},
		"Decrypt": func(tok []string) error {
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, GrantTokens: tok})
			return err
		},
		"ReEncrypt": func(tok []string) error {
			_, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: id, GrantTokens: tok})
			return err
		},
		"GenerateDataKey": func(tok []string) error {
			_, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, KeySpec: types.DataKeySpecAes256, GrantTokens: tok})
			return err
		},
		"GenerateDataKeyWithoutPlaintext": func(tok []string) error {
			_, err := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: id, NumberOfBytes: aws.Int32(16), GrantTokens: tok})
			return err
		},
		"DescribeKey": func(tok []string) error {
			_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id, GrantTokens: tok})
			return err
		},
		"CreateGrant": func(tok []string) error {
			_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String("arn:aws:iam::" + accountID + ":root"),
				Operations: []types.GrantOperation{types.GrantOperationEncrypt}, GrantTokens: tok})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			apiError(t, call([]string{"bogus-token"}), "InvalidGrantTokenException", "")
			if err := call([]string{aws.ToString(g.GrantToken)}); err != nil {
				t.Fatalf("with the token CreateGrant issued: %v", err)
			}
		})
	}
}
