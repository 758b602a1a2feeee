package kms_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/kms"
)

// refusalKeys are the key types of the refusal matrix.
var refusalKeys = map[string]kms.CreateKeyInput{
	"sym":       {},
	"rsaEnc":    {KeySpec: "RSA_2048", KeyUsage: kms.UsageEncryptDecrypt},
	"rsaSign":   {KeySpec: "RSA_2048", KeyUsage: kms.UsageSignVerify},
	"p256Sign":  {KeySpec: "ECC_NIST_P256", KeyUsage: kms.UsageSignVerify},
	"p256Agree": {KeySpec: "ECC_NIST_P256", KeyUsage: kms.UsageKeyAgreement},
	"ed25519":   {KeySpec: "ECC_NIST_EDWARDS25519", KeyUsage: kms.UsageSignVerify},
	"mldsa":     {KeySpec: "ML_DSA_44", KeyUsage: kms.UsageSignVerify},
	"hmac":      {KeySpec: "HMAC_256", KeyUsage: kms.UsageGenerateVerifyMAC},
}

type refusalOp func(ctx context.Context, s *kms.Service, id string) error

func signOp(alg, msgType string, msg []byte) refusalOp {
	return func(ctx context.Context, s *kms.Service, id string) error {
		_, err := s.Sign(ctx, id, kms.SignInput{Message: msg, MessageType: msgType, Algorithm: alg})
		return err
	}
}

func verifyOp(alg string) refusalOp {
	return func(ctx context.Context, s *kms.Service, id string) error {
		_, err := s.Verify(ctx, id, kms.SignInput{Message: []byte("m"), Algorithm: alg}, []byte("sig"))
		return err
	}
}

func encryptOp(alg string) refusalOp {
	return func(ctx context.Context, s *kms.Service, id string) error {
		_, err := s.Encrypt(ctx, id, []byte("x"), nil, kms.CryptoOptions{Algorithm: alg})
		return err
	}
}

func macOp(verify bool, alg string) refusalOp {
	return func(ctx context.Context, s *kms.Service, id string) error {
		in := kms.MacInput{Message: []byte("m"), Algorithm: alg}
		if verify {
			_, err := s.VerifyMac(ctx, id, in, []byte("mac"))
			return err
		}
		_, err := s.GenerateMac(ctx, id, in)
		return err
	}
}

var (
	deriveOp refusalOp = func(ctx context.Context, s *kms.Service, id string) error {
		_, err := s.DeriveSharedSecret(ctx, id, "ECDH", []byte("peer"), false)
		return err
	}
	publicKeyOp refusalOp = func(ctx context.Context, s *kms.Service, id string) error {
		_, err := s.GetPublicKey(ctx, id)
		return err
	}
	dataKeyOp refusalOp = func(ctx context.Context, s *kms.Service, id string) error {
		_, err := s.GenerateDataKey(ctx, id, 32, nil, true, kms.CryptoOptions{})
		return err
	}
	dataKeyPairOp refusalOp = func(ctx context.Context, s *kms.Service, id string) error {
		_, err := s.GenerateDataKeyPair(ctx, id, "ECC_NIST_P256", nil, false, kms.CryptoOptions{})
		return err
	}
	rotationOp refusalOp = func(ctx context.Context, s *kms.Service, id string) error {
		return s.EnableKeyRotation(ctx, id, 0)
	}
)

// usage is template 1 of asymmetric.md §9 for op; {arn} is the key's ARN.
func usage(op string) string { return "{arn} key usage is {usage} which is not valid for " + op + "." }

// incompatible is template 2.
func incompatible(alg, spec string) string {
	return "Algorithm " + alg + " is incompatible with key spec " + spec + "."
}

// TestRefusalMatrix answers every (key type × operation) pair that AWS
// refuses with AWS's exception and message (asymmetric.md §9, hmac.md §6-7),
// in AWS's order: usage before algorithm, algorithm before message type.
// A nil kind means the call must get past every key check (it may still
// fail later on the dummy input, but not with a key-type error).
func TestRefusalMatrix(t *testing.T) {
	svc, _ := newService(t)
	ids := map[string]string{}
	for name, in := range refusalKeys {
		ids[name] = mustCreate(t, svc, in)
	}
	type want struct {
		kind error
		msg  string
	}
	t1 := func(op string) want { return want{kms.ErrInvalidKeyUsage, usage(op)} }
	t2 := func(alg, spec string) want { return want{kms.ErrInvalidKeyUsage, incompatible(alg, spec)} }
	ok := want{}
	unsupported := want{kms.ErrUnsupported, ""}
	digest31 := bytes.Repeat([]byte{1}, 31)
	tests := []struct {
		op   string
		call refusalOp
		want map[string]want // by key type; every key type is listed
	}{
		{"Encrypt/default", encryptOp(""), map[string]want{
			"sym": ok, "rsaEnc": t2("SYMMETRIC_DEFAULT", "RSA_2048"), "rsaSign": t1("Encrypt"), "p256Sign": t1("Encrypt"),
			"p256Agree": t1("Encrypt"), "ed25519": t1("Encrypt"), "mldsa": t1("Encrypt"), "hmac": t1("Encrypt")}},
		{"Encrypt/OAEP", encryptOp("RSAES_OAEP_SHA_256"), map[string]want{
			"sym": t2("RSAES_OAEP_SHA_256", "SYMMETRIC_DEFAULT"), "rsaEnc": ok, "rsaSign": t1("Encrypt"), "p256Sign": t1("Encrypt"),
			"p256Agree": t1("Encrypt"), "ed25519": t1("Encrypt"), "mldsa": t1("Encrypt"), "hmac": t1("Encrypt")}},
		{"Sign/ECDSA", signOp("ECDSA_SHA_256", "", []byte("m")), map[string]want{
			"sym": t1("Sign"), "rsaEnc": t1("Sign"), "rsaSign": t2("ECDSA_SHA_256", "RSA_2048"), "p256Sign": ok,
			"p256Agree": t1("Sign"), "ed25519": t2("ECDSA_SHA_256", "ECC_NIST_EDWARDS25519"), "mldsa": t2("ECDSA_SHA_256", "ML_DSA_44"), "hmac": t1("Sign")}},
		{"Sign/digest length", signOp("ECDSA_SHA_256", "DIGEST", digest31), map[string]want{
			"sym": t1("Sign"), "rsaEnc": t1("Sign"), "rsaSign": t2("ECDSA_SHA_256", "RSA_2048"),
			"p256Sign":  {kms.ErrValidation, "Digest is invalid length for algorithm ECDSA_SHA_256."},
			"p256Agree": t1("Sign"), "ed25519": t2("ECDSA_SHA_256", "ECC_NIST_EDWARDS25519"), "mldsa": t2("ECDSA_SHA_256", "ML_DSA_44"), "hmac": t1("Sign")}},
		{"Sign/ML-DSA DIGEST", signOp("ML_DSA_SHAKE_256", "DIGEST", bytes.Repeat([]byte{1}, 64)), map[string]want{
			"sym": t1("Sign"), "rsaEnc": t1("Sign"), "rsaSign": t2("ML_DSA_SHAKE_256", "RSA_2048"), "p256Sign": t2("ML_DSA_SHAKE_256", "ECC_NIST_P256"),
			"p256Agree": t1("Sign"), "ed25519": t2("ML_DSA_SHAKE_256", "ECC_NIST_EDWARDS25519"),
			"mldsa": {kms.ErrValidation, "Message type DIGEST is incompatible with key spec ML_DSA_44."}, "hmac": t1("Sign")}},
		{"Verify/PSS", verifyOp("RSASSA_PSS_SHA_256"), map[string]want{
			"sym": t1("Verify"), "rsaEnc": t1("Verify"), "rsaSign": {kms.ErrInvalidSignature, ""}, "p256Sign": t2("RSASSA_PSS_SHA_256", "ECC_NIST_P256"),
			"p256Agree": t1("Verify"), "ed25519": t2("RSASSA_PSS_SHA_256", "ECC_NIST_EDWARDS25519"), "mldsa": t2("RSASSA_PSS_SHA_256", "ML_DSA_44"), "hmac": t1("Verify")}},
		{"GenerateMac", macOp(false, "HMAC_SHA_512"), map[string]want{
			"sym": t1("GenerateMac"), "rsaEnc": t1("GenerateMac"), "rsaSign": t1("GenerateMac"), "p256Sign": t1("GenerateMac"),
			"p256Agree": t1("GenerateMac"), "ed25519": t1("GenerateMac"), "mldsa": t1("GenerateMac"), "hmac": t2("HMAC_SHA_512", "HMAC_256")}},
		{"VerifyMac", macOp(true, "HMAC_SHA_256"), map[string]want{
			"sym": t1("VerifyMac"), "rsaEnc": t1("VerifyMac"), "rsaSign": t1("VerifyMac"), "p256Sign": t1("VerifyMac"),
			"p256Agree": t1("VerifyMac"), "ed25519": t1("VerifyMac"), "mldsa": t1("VerifyMac"), "hmac": {kms.ErrInvalidMac, ""}}},
		{"DeriveSharedSecret", deriveOp, map[string]want{
			"sym": t1("DeriveSharedSecret"), "rsaEnc": t1("DeriveSharedSecret"), "rsaSign": t1("DeriveSharedSecret"), "p256Sign": t1("DeriveSharedSecret"),
			"p256Agree": {kms.ErrValidation, ""}, "ed25519": t1("DeriveSharedSecret"), "mldsa": t1("DeriveSharedSecret"), "hmac": t1("DeriveSharedSecret")}},
		{"GetPublicKey", publicKeyOp, map[string]want{
			"sym": unsupported, "rsaEnc": ok, "rsaSign": ok, "p256Sign": ok, "p256Agree": ok, "ed25519": ok, "mldsa": ok, "hmac": unsupported}},
		{"GenerateDataKey", dataKeyOp, map[string]want{
			"sym": ok, "rsaEnc": t2("SYMMETRIC_DEFAULT", "RSA_2048"), "rsaSign": t1("GenerateDataKey"), "p256Sign": t1("GenerateDataKey"),
			"p256Agree": t1("GenerateDataKey"), "ed25519": t1("GenerateDataKey"), "mldsa": t1("GenerateDataKey"), "hmac": t1("GenerateDataKey")}},
		{"GenerateDataKeyPairWithoutPlaintext", dataKeyPairOp, map[string]want{
			"sym": ok, "rsaEnc": t2("SYMMETRIC_DEFAULT", "RSA_2048"), "rsaSign": t1("GenerateDataKeyPairWithoutPlaintext"),
			"p256Sign": t1("GenerateDataKeyPairWithoutPlaintext"), "p256Agree": t1("GenerateDataKeyPairWithoutPlaintext"),
			"ed25519": t1("GenerateDataKeyPairWithoutPlaintext"), "mldsa": t1("GenerateDataKeyPairWithoutPlaintext"), "hmac": t1("GenerateDataKeyPairWithoutPlaintext")}},
		{"EnableKeyRotation", rotationOp, map[string]want{
			"sym": ok, "rsaEnc": unsupported, "rsaSign": unsupported, "p256Sign": unsupported, "p256Agree": unsupported,
			"ed25519": unsupported, "mldsa": unsupported, "hmac": unsupported}},
	}
	for _, tt := range tests {
		if len(tt.want) != len(refusalKeys) {
			t.Fatalf("%s: %d key types, want %d", tt.op, len(tt.want), len(refusalKeys))
		}
		for key, w := range tt.want {
			t.Run(tt.op+"/"+key, func(t *testing.T) {
				id := ids[key]
				err := tt.call(sysCtx(), svc, id)
				if w.kind == nil {
					if err != nil {
						t.Fatalf("err = %v, want success", err)
					}
					return
				}
				keyUsage := refusalKeys[key].KeyUsage
				if keyUsage == "" {
					keyUsage = kms.UsageEncryptDecrypt
				}
				msg := strings.NewReplacer("{arn}", svc.KeyARN(id), "{usage}", keyUsage).Replace(w.msg)
				wantKind(t, err, w.kind, msg)
			})
		}
	}
}

// TestRefusalOrder checks what wins when several things are wrong
// (asymmetric.md §10): state before usage, usage before algorithm, and an
// RSA ciphertext's Decrypt with a symmetric blob's key rule.
func TestRefusalOrder(t *testing.T) {
	svc, _ := newService(t)
	ctx := sysCtx()
	rsaSign := mustCreate(t, svc, refusalKeys["rsaSign"])
	hmac := mustCreate(t, svc, refusalKeys["hmac"])
	sym := mustCreate(t, svc, kms.CreateKeyInput{})
	if err := svc.DisableKey(ctx, rsaSign); err != nil {
		t.Fatal(err)
	}
	// Disabled wins over a MAC algorithm on a signing key.
	err := signOp("HMAC_SHA_256", "", []byte("m"))(ctx, svc, rsaSign)
	wantKind(t, err, kms.ErrDisabled, svc.KeyARN(rsaSign)+" is disabled.")
	// ... and GetPublicKey still answers on a disabled key.
	if _, err := svc.GetPublicKey(ctx, rsaSign); err != nil {
		t.Fatalf("GetPublicKey of a disabled key: %v", err)
	}
	// Usage before algorithm: Sign with an HMAC key and an RSA algorithm.
	err = signOp("RSASSA_PSS_SHA_256", "", []byte("m"))(ctx, svc, hmac)
	wantKind(t, err, kms.ErrInvalidKeyUsage, svc.KeyARN(hmac)+" key usage is GENERATE_VERIFY_MAC which is not valid for Sign.")
	// A symmetric blob decrypted with KeyId = an HMAC key is IncorrectKey.
	blob, err := svc.Encrypt(ctx, sym, []byte("x"), nil, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Decrypt(ctx, hmac, blob.Blob, nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrIncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation.")
	// DryRun answers once the key checks pass.
	p256 := mustCreate(t, svc, refusalKeys["p256Sign"])
	_, err = svc.Sign(ctx, p256, kms.SignInput{Message: []byte("m"), Algorithm: "ECDSA_SHA_256", DryRun: true})
	wantKind(t, err, kms.ErrDryRun, "The request would have succeeded, but the DryRun option is set.")
}
