package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// fixture is what a scenario's setup prepares for its operation. Each
// scenario gets a fresh one; add fields here for new scenarios' needs.
type fixture struct {
	Client *kms.Client
	Size   int // -size: plaintext bytes for encrypt

	KeyID      string
	Plaintext  []byte
	Ciphertext []byte
	Algorithm  string // the signing or MAC algorithm of KeyID
}

// scenario is one benchmarked operation. setup runs once, unmeasured,
// before the workers start; op is the call that is timed, run by every
// worker concurrently, so it must only read the fixture.
type scenario struct {
	name  string
	setup func(ctx context.Context, f *fixture) error
	op    func(ctx context.Context, f *fixture) error
	rate  float64 // if > 0: this scenario's own pace, one worker
}

// scenarios is every scenario -ops can name, in the default order.
var scenarios = []scenario{
	{"encrypt", setupEncrypt, opEncrypt, 0},
	{"encrypt-with-policy", setupPolicyKey, opEncrypt, 0},
	{"decrypt", setupDecrypt, opDecrypt, 0},
	{"generate-data-key", setupKey, opGenerateDataKey, 0},
	{"create-key", nil, opCreateKey, 0},
	{"sign-ecc-p256", setupSigningKey(types.KeySpecEccNistP256, "ECDSA_SHA_256"), opSign, 0},
	{"sign-rsa-2048", setupSigningKey(types.KeySpecRsa2048, "RSASSA_PSS_SHA_256"), opSign, 0},
	{"generate-mac", setupMacKey, opGenerateMac, 0},
	{"get-parameters-for-import", setupExternalKey, opGetParametersForImport, 1},
	{"import-key-material", setupExternalKey, opImportKeyMaterial, 1},
}

// defaultOps is the -ops default: all scenarios, comma-separated.
func defaultOps() string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return strings.Join(names, ",")
}

// lookupScenarios resolves -ops's comma-separated names.
func lookupScenarios(list string) ([]scenario, error) {
	var out []scenario
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found := false
		for _, s := range scenarios {
			if s.name == name {
				out = append(out, s)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown scenario %q in -ops; known: %s", name, defaultOps())
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-ops names no scenario; known: %s", defaultOps())
	}
	return out, nil
}

// setupKey creates a symmetric encryption key.
func setupKey(ctx context.Context, f *fixture) error {
	out, err := f.Client.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String("trent bench"),
	})
	if err != nil {
		return fmt.Errorf("CreateKey: %w", err)
	}
	f.KeyID = aws.ToString(out.KeyMetadata.KeyId)
	return nil
}

// setupEncrypt creates a key and a random plaintext of -size bytes.
func setupEncrypt(ctx context.Context, f *fixture) error {
	if err := setupKey(ctx, f); err != nil {
		return err
	}
	f.Plaintext = make([]byte, f.Size)
	rand.Read(f.Plaintext)
	return nil
}

// setupDecrypt also encrypts the plaintext once, for opDecrypt to decrypt.
func setupDecrypt(ctx context.Context, f *fixture) error {
	if err := setupEncrypt(ctx, f); err != nil {
		return err
	}
	out, err := f.Client.Encrypt(ctx, &kms.EncryptInput{KeyId: &f.KeyID, Plaintext: f.Plaintext})
	if err != nil {
		return fmt.Errorf("setup encrypt: %w", err)
	}
	f.Ciphertext = out.CiphertextBlob
	return opDecrypt(ctx, f)
}

func opEncrypt(ctx context.Context, f *fixture) error {
	_, err := f.Client.Encrypt(ctx, &kms.EncryptInput{KeyId: &f.KeyID, Plaintext: f.Plaintext})
	return err
}

// opDecrypt names no key: the server finds it in the ciphertext, as for
// most applications' calls.
func opDecrypt(ctx context.Context, f *fixture) error {
	out, err := f.Client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: f.Ciphertext})
	if err != nil {
		return err
	}
	if !bytes.Equal(out.Plaintext, f.Plaintext) {
		return fmt.Errorf("decrypt returned %d bytes that are not the %d encrypted", len(out.Plaintext), len(f.Plaintext))
	}
	return nil
}

func opGenerateDataKey(ctx context.Context, f *fixture) error {
	_, err := f.Client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &f.KeyID, KeySpec: types.DataKeySpecAes256})
	return err
}

// opCreateKey creates a new key per call; the keys are left behind (in
// the temporary data directory, unless -endpoint is used).
func opCreateKey(ctx context.Context, f *fixture) error {
	_, err := f.Client.CreateKey(ctx, &kms.CreateKeyInput{})
	return err
}

// realisticPolicy is a key policy of five statements, one with a
// condition, like the console generates for administrators and users; the
// caller (the account root) is allowed through the first statement after
// the others have been evaluated.
func realisticPolicy(account string) string {
	acct := "arn:aws:iam::" + account
	// The named users are in a partner account, which needs no users in
	// this server to exist (principals of this account are checked).
	users := "arn:aws:iam::210987654321"
	return `{"Version":"2012-10-17","Id":"bench","Statement":[
 {"Sid":"Deny other contexts","Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*",
  "Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"forbidden"}}},
 {"Sid":"Key administrators","Effect":"Allow","Principal":{"AWS":"` + users + `:user/kms-admin"},
  "Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*","kms:Get*","kms:Delete*","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"},
 {"Sid":"Key users","Effect":"Allow","Principal":{"AWS":"` + users + `:user/app"},
  "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"},
 {"Sid":"Persistent resources","Effect":"Allow","Principal":{"AWS":"` + users + `:user/app"},
  "Action":["kms:CreateGrant","kms:ListGrants","kms:RevokeGrant"],"Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}},
 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"` + acct + `:root"},"Action":"kms:*","Resource":"*"}
]}`
}

// setupPolicyKey creates a key with realisticPolicy, for Encrypt.
func setupPolicyKey(ctx context.Context, f *fixture) error {
	out, err := f.Client.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(realisticPolicy("111122223333"))})
	if err != nil {
		return fmt.Errorf("CreateKey with a policy: %w", err)
	}
	f.KeyID = aws.ToString(out.KeyMetadata.KeyId)
	f.Plaintext = make([]byte, f.Size)
	rand.Read(f.Plaintext)
	return nil
}

// benchMessage is what the Sign and GenerateMac scenarios authenticate: a
// size typical of a token or a digest-sized document, independent of
// -size (which may exceed the 4096-byte Message limit).
var benchMessage = bytes.Repeat([]byte("trent bench "), 22)

// setupSigningKey returns the setup of a Sign scenario: a SIGN_VERIFY key
// of spec, signed with alg.
func setupSigningKey(spec types.KeySpec, alg string) func(context.Context, *fixture) error {
	return func(ctx context.Context, f *fixture) error {
		out, err := f.Client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: types.KeyUsageTypeSignVerify})
		if err != nil {
			return fmt.Errorf("CreateKey %s: %w", spec, err)
		}
		f.KeyID, f.Algorithm = aws.ToString(out.KeyMetadata.KeyId), alg
		return opSign(ctx, f)
	}
}

func opSign(ctx context.Context, f *fixture) error {
	_, err := f.Client.Sign(ctx, &kms.SignInput{KeyId: &f.KeyID, Message: benchMessage,
		SigningAlgorithm: types.SigningAlgorithmSpec(f.Algorithm)})
	return err
}

// setupMacKey creates an HMAC_256 key.
func setupMacKey(ctx context.Context, f *fixture) error {
	out, err := f.Client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	if err != nil {
		return fmt.Errorf("CreateKey HMAC_256: %w", err)
	}
	f.KeyID, f.Algorithm = aws.ToString(out.KeyMetadata.KeyId), "HMAC_SHA_256"
	return opGenerateMac(ctx, f)
}

func opGenerateMac(ctx context.Context, f *fixture) error {
	_, err := f.Client.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: &f.KeyID, Message: benchMessage,
		MacAlgorithm: types.MacAlgorithmSpec(f.Algorithm)})
	return err
}
