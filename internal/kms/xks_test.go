package kms_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/xksclient/xkstest"
)

// xksKey returns a service, its stub proxy, and a key in a connected
// external key store backed by the stub's "key-1".
func xksKey(t testing.TB) (*kms.Service, *xkstest.Server, string) {
	t.Helper()
	svc, stub := newXKSService(t)
	id := connectedStore(t, svc, stub)
	k, err := svc.CreateKey(sysCtx(), kms.CreateKeyInput{Origin: kms.OriginExternalKeyStore, CustomKeyStoreID: id, XksKeyID: "key-1"})
	if err != nil {
		t.Fatal(err)
	}
	return svc, stub, k.ID
}

// BenchmarkEncryptXKS is KMS Encrypt of 32 bytes under a key in an
// external key store: Trent's own layer, then an HTTPS round trip to a
// local proxy (xkstest), which dominates.
func BenchmarkEncryptXKS(b *testing.B) {
	svc, _, k := xksKey(b)
	ctx := sysCtx()
	pt := make([]byte, 32)
	for b.Loop() {
		if _, err := svc.Encrypt(ctx, k, pt, nil, kms.CryptoOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestXKSDoubleEncryption(t *testing.T) {
	svc, stub, k := xksKey(t)
	ctx := kms.WithRequestID(sysCtx(), "req-42")
	ec := map[string]string{"app": "test"}
	enc, err := svc.Encrypt(ctx, k, []byte("hello"), ec, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if enc.Blob[0] != 2 {
		t.Fatalf("blob version %d, want 2 (external key store)", enc.Blob[0])
	}
	dec, err := svc.Decrypt(ctx, "", enc.Blob, ec, kms.CryptoOptions{})
	if err != nil || string(dec.Plaintext) != "hello" || dec.KeyARN != svc.KeyARN(k) {
		t.Fatalf("decrypt = %+v, %v", dec, err)
	}
	calls := stub.Calls()
	last := calls[len(calls)-1]
	if last.API != "Decrypt" || last.Metadata.KmsOperation != "Decrypt" || last.Metadata.KmsKeyArn != svc.KeyARN(k) ||
		last.Metadata.KmsRequestID != "req-42" || last.Metadata.AwsPrincipalArn != "AWS Internal" {
		t.Fatalf("metadata = %+v", last)
	}
	// Another context is refused by the proxy's layer: AWS answers
	// KMSInvalidStateException for the proxy's InvalidCiphertextException.
	_, err = svc.Decrypt(ctx, "", enc.Blob, map[string]string{"app": "other"}, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidState, "The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid.")

	// GenerateDataKey and ReEncrypt to and from an ordinary key.
	dk, err := svc.GenerateDataKey(ctx, k, 32, nil, true, kms.CryptoOptions{})
	if err != nil || len(dk.Plaintext) != 32 || dk.Blob[0] != 2 {
		t.Fatalf("GenerateDataKey = %v", err)
	}
	plain := mustCreate(t, svc, kms.CreateKeyInput{})
	_, dst, err := svc.ReEncrypt(ctx, "", dk.Blob, nil, plain, nil, kms.CryptoOptions{}, kms.CryptoOptions{})
	if err != nil || dst.Blob[0] != 1 {
		t.Fatalf("ReEncrypt to an ordinary key: %v", err)
	}
	_, back, err := svc.ReEncrypt(ctx, "", dst.Blob, nil, k, nil, kms.CryptoOptions{}, kms.CryptoOptions{})
	if err != nil || back.Blob[0] != 2 {
		t.Fatalf("ReEncrypt back: %v", err)
	}
	got, err := svc.Decrypt(ctx, k, back.Blob, nil, kms.CryptoOptions{})
	if err != nil || !bytes.Equal(got.Plaintext, dk.Plaintext) {
		t.Fatalf("data key changed: %v", err)
	}
	if c := stub.Calls(); c[len(c)-1].Metadata.KmsOperation != "Decrypt" || c[len(c)-2].Metadata.KmsOperation != "ReEncrypt" {
		t.Fatalf("operations = %+v", c[len(c)-2:])
	}
}

func TestXKSCallerIsNamed(t *testing.T) {
	svc, stub, k := xksKey(t)
	ctx := identity.With(context.Background(), identity.Principal{Kind: identity.KindRoot, ARN: "arn:aws:iam::" + testAccount + ":root", AccountID: testAccount})
	if _, err := svc.Encrypt(ctx, k, []byte("x"), nil, kms.CryptoOptions{}); err != nil {
		t.Fatal(err)
	}
	c := stub.Calls()
	if got := c[len(c)-1].Metadata.AwsPrincipalArn; got != "arn:aws:iam::"+testAccount+":root" {
		t.Fatalf("awsPrincipalArn = %q", got)
	}
}

func TestXKSFailsClosed(t *testing.T) {
	svc, stub, k := xksKey(t)
	ctx := sysCtx()
	good, err := svc.Encrypt(ctx, k, []byte("secret"), nil, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		fault xkstest.Fault
		key   func(*xkstest.Key)
		msg   string
	}{
		{"slow", xkstest.Fault{Delay: slowDelay}, nil, "AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator."},
		{"bad JSON", xkstest.Fault{Body: "{]"}, nil, "AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator."},
		{"short tag", xkstest.Fault{ShortTag: true, APIs: []string{"Encrypt"}}, nil, "AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator."},
		{"wrong plaintext", xkstest.Fault{WrongPlaintext: true, APIs: []string{"Decrypt"}}, nil, "The ciphertext that the external key store proxy submitted for decryption, or the encryption context, is corrupted, missing, or otherwise invalid."},
		{"throttled", xkstest.Fault{Status: 429, ErrorName: "ThrottlingException"}, nil, "The external key store proxy rejected the request due to a very high request rate. Reduce the frequency of your calls using KMS keys in this external key store."},
		{"access denied", xkstest.Fault{Status: 403, ErrorName: "AccessDeniedException"}, nil, "The external key store proxy denied access to the operation. Verify that the user and the external key are both authorized for this operation, and try the request again."},
		{"external key disabled", xkstest.Fault{}, func(k *xkstest.Key) { k.Status = "DISABLED" }, "The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub.SetFault(tt.fault)
			if tt.key != nil {
				stub.SetKey("key-1", tt.key)
			}
			defer func() {
				stub.SetFault(xkstest.Fault{})
				stub.SetKey("key-1", func(k *xkstest.Key) { k.Status = "ENABLED" })
			}()
			if tt.fault.APIs == nil || tt.fault.APIs[0] == "Encrypt" {
				_, err := svc.Encrypt(ctx, k, []byte("x"), nil, kms.CryptoOptions{})
				wantKind(t, err, kms.ErrInvalidState, tt.msg)
			}
			if tt.fault.APIs == nil || tt.fault.APIs[0] == "Decrypt" {
				_, err := svc.Decrypt(ctx, "", good.Blob, nil, kms.CryptoOptions{})
				wantKind(t, err, kms.ErrInvalidState, tt.msg)
			}
		})
	}
	// Nothing was cached: with the fault gone, the same blob decrypts.
	if dec, err := svc.Decrypt(ctx, "", good.Blob, nil, kms.CryptoOptions{}); err != nil || string(dec.Plaintext) != "secret" {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestXKSProxyDown(t *testing.T) {
	svc, stub, k := xksKey(t)
	good, err := svc.Encrypt(sysCtx(), k, []byte("secret"), nil, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stub.Close()
	_, err = svc.Decrypt(sysCtx(), "", good.Blob, nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidState, "AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external key store.")
}

func TestXKSBlobRules(t *testing.T) {
	svc, _, k := xksKey(t)
	ctx := sysCtx()
	enc, err := svc.Encrypt(ctx, k, []byte("secret"), nil, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A version 1 blob naming the key would skip the external layer.
	v1 := append([]byte{1}, enc.Blob[1:]...)
	_, err = svc.Decrypt(ctx, "", v1, nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidCiphertext, "")
	// A tampered outer layer is refused by the proxy.
	bad := bytes.Clone(enc.Blob)
	bad[len(bad)-1] ^= 1
	_, err = svc.Decrypt(ctx, "", bad, nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidState, "")
	// A truncated version 2 blob is not even sent.
	_, err = svc.Decrypt(ctx, "", enc.Blob[:60], nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidCiphertext, "")
}

func TestXKSUnsupportedOperations(t *testing.T) {
	svc, _, k := xksKey(t)
	ctx := sysCtx()
	arn := svc.KeyARN(k)
	wantKind(t, svc.EnableKeyRotation(ctx, k, 0), kms.ErrUnsupported, arn+" origin is EXTERNAL_KEY_STORE which is not valid for this operation.")
	_, err := svc.RotateKeyOnDemand(ctx, k)
	wantKind(t, err, kms.ErrUnsupported, "")
	_, err = svc.GetKeyRotationStatus(ctx, k)
	wantKind(t, err, kms.ErrUnsupported, "")
	_, _, err = svc.ListKeyRotations(ctx, k, "", "", 0)
	wantKind(t, err, kms.ErrUnsupported, "")
	_, err = svc.GetParametersForImport(ctx, k, "RSAES_OAEP_SHA_256", "RSA_2048")
	wantKind(t, err, kms.ErrUnsupported, "")
}

func TestXKSCreateKeyRefusals(t *testing.T) {
	svc, stub := newXKSService(t)
	id := connectedStore(t, svc, stub)
	stub.AddKey("disabled").Status = "DISABLED"
	stub.AddKey("encrypt-only").Usage = []string{"ENCRYPT"}
	mustCreate(t, svc, kms.CreateKeyInput{Origin: kms.OriginExternalKeyStore, CustomKeyStoreID: id, XksKeyID: "key-1"})
	tests := []struct {
		name string
		in   kms.CreateKeyInput
		kind error
	}{
		{"unknown external key", kms.CreateKeyInput{XksKeyID: "nope"}, kms.ErrXksKeyNotFound},
		{"disabled external key", kms.CreateKeyInput{XksKeyID: "disabled"}, kms.ErrXksKeyInvalidConfiguration},
		{"encrypt-only external key", kms.CreateKeyInput{XksKeyID: "encrypt-only"}, kms.ErrXksKeyInvalidConfiguration},
		{"in use", kms.CreateKeyInput{XksKeyID: "key-1"}, kms.ErrXksKeyAlreadyInUse},
		{"HMAC", kms.CreateKeyInput{XksKeyID: "key-2", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC"}, kms.ErrUnsupported},
		{"no XksKeyId", kms.CreateKeyInput{}, kms.ErrValidation},
		{"unknown store", kms.CreateKeyInput{XksKeyID: "key-1", CustomKeyStoreID: "cks-00000000000000000"}, kms.ErrCustomKeyStoreAbsent},
		{"CloudHSM origin", kms.CreateKeyInput{Origin: kms.OriginCloudHSM}, kms.ErrCustomKeyStoreInvalidState},
		{"store on AWS_KMS", kms.CreateKeyInput{Origin: kms.OriginAWSKMS}, kms.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.Origin == "" {
				in.Origin = kms.OriginExternalKeyStore
			}
			if in.CustomKeyStoreID == "" {
				in.CustomKeyStoreID = id
			}
			_, err := svc.CreateKey(sysCtx(), in)
			wantKind(t, err, tt.kind, "")
		})
	}
	t.Run("disconnected store", func(t *testing.T) {
		if err := svc.DisconnectCustomKeyStore(sysCtx(), id); err != nil {
			t.Fatal(err)
		}
		_, err := svc.CreateKey(sysCtx(), kms.CreateKeyInput{Origin: kms.OriginExternalKeyStore, CustomKeyStoreID: id, XksKeyID: "key-9"})
		wantKind(t, err, kms.ErrCustomKeyStoreInvalidState, "")
	})
}

// TestXKSBudget: a proxy that does not answer costs one call budget, not
// the caller's whole deadline.
func TestXKSBudget(t *testing.T) {
	svc, stub, k := xksKey(t)
	stub.SetFault(xkstest.Fault{Delay: 3 * time.Second})
	start := time.Now()
	_, err := svc.Encrypt(sysCtx(), k, []byte("x"), nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidState, "")
	if d := time.Since(start); d > testBudget+time.Second {
		t.Fatalf("Encrypt took %v with a hanging proxy", d)
	}
}
