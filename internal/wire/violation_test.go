package wire

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestViolations checks the structured form exposed for tests and logs.
func TestViolations(t *testing.T) {
	in := &EncryptRequest{Plaintext: make([]byte, 5000), GrantTokens: []string{"ok", ""}}
	var ve *ValidationError
	if err := in.Validate(); !errors.As(err, &ve) {
		t.Fatalf("Validate() = %v, want *ValidationError", err)
	}
	want := []Violation{
		{Path: "keyId", Null: true, Constraint: "Member must not be null"},
		{Path: "plaintext", Redacted: true, Constraint: "Member must have length less than or equal to 4096"},
		{Path: "grantTokens.2.member", Value: "", Constraint: "Member must have length greater than or equal to 1"},
	}
	if !reflect.DeepEqual(ve.Violations, want) {
		t.Fatalf("Violations = %#v\nwant %#v", ve.Violations, want)
	}
	if got := ve.Violations[1].String(); got != "Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096" {
		t.Fatalf("String() = %q", got)
	}
}

// TestValidateGoValues validates structs built in Go rather than decoded.
func TestValidateGoValues(t *testing.T) {
	tests := []struct {
		name string
		in   Validator
		want string
	}{
		{"encrypt", &EncryptRequest{KeyId: keyID, Plaintext: []byte("x"), DryRun: Ptr(false)}, ""},
		{"schedule", &ScheduleKeyDeletionRequest{KeyId: keyID, PendingWindowInDays: Ptr(int32(30))}, ""},
		{"tag", &TagResourceRequest{KeyId: keyID, Tags: []Tag{{TagKey: "a", TagValue: Ptr("")}}}, ""},
		{"tag without value", &TagResourceRequest{KeyId: keyID, Tags: []Tag{{TagKey: "a"}}},
			one("Value null at 'tags.1.member.tagValue' failed to satisfy constraint: Member must not be null")},
		{"import", &ImportKeyMaterialRequest{KeyId: keyID, ImportToken: []byte{1}, EncryptedKeyMaterial: []byte{}},
			one("Value at 'encryptedKeyMaterial' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{"grant", &CreateGrantRequest{KeyId: keyID, GranteePrincipal: "arn:aws:iam::111122223333:role/r", Operations: []string{GrantOperationDecrypt, "Nope"}},
			one("Value 'Nope' at 'operations.2.member' failed to satisfy constraint: Member must satisfy enum value set: [Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncryptFrom, ReEncryptTo, Sign, Verify, GetPublicKey, CreateGrant, RetireGrant, DescribeKey, GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, GenerateMac, VerifyMac, DeriveSharedSecret]")},
		{"grant null operations", &CreateGrantRequest{KeyId: keyID, GranteePrincipal: "p"},
			one("Value null at 'operations' failed to satisfy constraint: Member must not be null")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Fatalf("Validate()\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

// TestSecretsNotEchoed makes sure sensitive values and blobs never appear
// in a validation message.
func TestSecretsNotEchoed(t *testing.T) {
	secret := strings.Repeat("TOPSECRET", 500)
	ins := []Validator{
		&EncryptRequest{KeyId: "k", Plaintext: []byte(secret)},
		&CreateCustomKeyStoreRequest{CustomKeyStoreName: "s", KeyStorePassword: secret},
		&UpdateCustomKeyStoreRequest{CustomKeyStoreId: "c", XksProxyAuthenticationCredential: &XksProxyAuthenticationCredentialType{
			AccessKeyId: secret, RawSecretAccessKey: secret}},
		&SignRequest{KeyId: "k", Message: []byte(secret), SigningAlgorithm: SigningAlgorithmSpecEcdsaSha256},
	}
	for _, in := range ins {
		err := in.Validate()
		if err == nil {
			t.Fatalf("%T: want a violation", in)
		}
		if strings.Contains(err.Error(), "TOPSECRET") {
			t.Fatalf("%T: secret echoed: %s", in, err)
		}
	}
}

// TestEveryOperation checks the operation tables and that the zero input
// of every operation validates without panicking.
func TestEveryOperation(t *testing.T) {
	if len(Operations) != 54 || len(InputOf) != len(Operations) {
		t.Fatalf("Operations=%d InputOf=%d, want 54 each", len(Operations), len(InputOf))
	}
	for _, op := range Operations {
		in := InputOf[op]()
		if want := op + "Request"; reflect.TypeOf(in).Elem().Name() != want {
			t.Errorf("InputOf[%s] is %T, want *%s", op, in, want)
		}
		_ = in.Validate()
		if mk, ok := OutputOf[op]; ok {
			// ListRetirableGrants shares ListGrantsResponse.
			if name := reflect.TypeOf(mk()).Elem().Name(); !strings.HasSuffix(name, "Response") {
				t.Errorf("OutputOf[%s] is %T", op, mk())
			}
		}
	}
	if _, ok := OutputOf["CreateAlias"]; ok || len(OutputOf) != 40 {
		t.Fatalf("OutputOf has %d entries (CreateAlias present: %v), want 40 without CreateAlias", len(OutputOf), ok)
	}
	if got := KeySpecValues(); got[0] != KeySpecRsa2048 || len(got) != 17 {
		t.Fatalf("KeySpecValues() = %v", got)
	}
}

func validEncrypt() *EncryptRequest {
	return &EncryptRequest{
		KeyId:               "arn:aws:kms:us-east-2:111122223333:key/" + keyID,
		Plaintext:           make([]byte, 4096),
		EncryptionContext:   map[string]string{"purpose": "test"},
		GrantTokens:         []string{"token-a", "token-b"},
		EncryptionAlgorithm: EncryptionAlgorithmSpecSymmetricDefault,
		DryRun:              Ptr(false),
	}
}

// TestValidateDoesNotAllocate holds Validate to zero allocations on valid
// input, including nested list elements and patterns.
func TestValidateDoesNotAllocate(t *testing.T) {
	ins := map[string]Validator{
		"Encrypt": validEncrypt(),
		"CreateKey": &CreateKeyRequest{Policy: `{"Version":"2012-10-17"}`, KeySpec: KeySpecSymmetricDefault,
			Tags: []Tag{{TagKey: "a", TagValue: Ptr("b")}, {TagKey: "c", TagValue: Ptr("")}}},
		"CreateAlias": &CreateAliasRequest{AliasName: "alias/app", TargetKeyId: keyID},
		"Decrypt": &DecryptRequest{CiphertextBlob: []byte{1}, DryRunModifiers: []string{DryRunModifierTypeIgnoreCiphertext},
			Recipient: &RecipientInfo{KeyEncryptionAlgorithm: KeyEncryptionMechanismRsaesOaepSha256, AttestationDocument: []byte{1}}},
	}
	for name, in := range ins {
		if err := in.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = in.Validate() }); n != 0 {
			t.Errorf("%s: Validate allocates %.0f times, want 0", name, n)
		}
	}
}

func BenchmarkValidateEncrypt(b *testing.B) {
	in := validEncrypt()
	b.ReportAllocs()
	for b.Loop() {
		if err := in.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeValidateEncrypt(b *testing.B) {
	body := []byte(`{"KeyId":"arn:aws:kms:us-east-2:111122223333:key/` + keyID + `","Plaintext":"` + b64(4096) +
		`","EncryptionContext":{"purpose":"test"},"EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var in EncryptRequest
		if err := Decode(body, &in); err != nil {
			b.Fatal(err)
		}
		if err := in.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
