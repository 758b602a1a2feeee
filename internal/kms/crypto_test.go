package kms_test

import (
	"bytes"
	"testing"

	"github.com/trent-kms/trent/internal/kms"
)

func TestEncryptDecrypt(t *testing.T) {
	ctx := sysCtx()
	svc, _ := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	if err := svc.CreateAlias(ctx, "alias/app", id); err != nil {
		t.Fatal(err)
	}
	ec := map[string]string{"tenant": "a"}
	for _, ref := range []string{id, svc.KeyARN(id), "alias/app", svc.AliasARN("alias/app")} {
		t.Run(ref, func(t *testing.T) {
			enc, err := svc.Encrypt(ctx, ref, []byte("plain"), ec, kms.CryptoOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if enc.KeyARN != svc.KeyARN(id) || len(enc.MaterialID) != 64 {
				t.Fatalf("Encrypt result %+v", enc)
			}
			for _, decRef := range []string{"", ref} {
				dec, err := svc.Decrypt(ctx, decRef, enc.Blob, ec, kms.CryptoOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if string(dec.Plaintext) != "plain" || dec.MaterialID != enc.MaterialID || dec.KeyARN != enc.KeyARN {
					t.Fatalf("Decrypt result %+v", dec)
				}
			}
		})
	}
}

func TestDecryptRefusals(t *testing.T) {
	ctx := sysCtx()
	svc, _ := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	other := mustCreate(t, svc, kms.CreateKeyInput{})
	enc, err := svc.Encrypt(ctx, id, []byte("plain"), map[string]string{"a": "b"}, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(enc.Blob)
	tampered[len(tampered)-1] ^= 1
	foreignKey := bytes.Clone(enc.Blob)
	foreignKey[5] ^= 1 // names a key that does not exist
	cases := []struct {
		name string
		ref  string
		blob []byte
		ec   map[string]string
		kind error
		msg  string
	}{
		{"wrong context", "", enc.Blob, map[string]string{"a": "c"}, kms.ErrInvalidCiphertext, ""},
		{"no context", "", enc.Blob, nil, kms.ErrInvalidCiphertext, ""},
		{"tampered", "", tampered, map[string]string{"a": "b"}, kms.ErrInvalidCiphertext, ""},
		{"garbage", "", []byte("not a ciphertext"), nil, kms.ErrInvalidCiphertext, ""},
		{"wrong key id", other, enc.Blob, map[string]string{"a": "b"}, kms.ErrIncorrectKey,
			"The key ID in the request does not identify a CMK that can perform this operation."},
		{"unknown key in blob", "", foreignKey, map[string]string{"a": "b"}, kms.ErrAccessDenied, ""},
		{"unknown key id", "3f1c7a8e-1111-4222-8333-944444444444", enc.Blob, nil, kms.ErrNotFound,
			"Key 'arn:aws:kms:eu-west-1:123456789012:key/3f1c7a8e-1111-4222-8333-944444444444' does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Decrypt(ctx, tc.ref, tc.blob, tc.ec, kms.CryptoOptions{})
			wantKind(t, err, tc.kind, tc.msg)
		})
	}
}

func TestKeyReferences(t *testing.T) {
	ctx := sysCtx()
	svc, _ := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	cases := []struct {
		name, ref string
		kind      error
		msg       string
	}{
		{"junk", "fake-key-id", kms.ErrNotFound, "Invalid keyId 'fake-key-id'"},
		{"uuid without dashes", "134f2428cec14b25a1ae9048164dba47", kms.ErrNotFound, "Invalid keyId '134f2428cec14b25a1ae9048164dba47'"},
		{"other region", "arn:aws:kms:us-west-2:123456789012:key/" + id, kms.ErrNotFound, "Invalid arn us-west-2"},
		{"other account", "arn:aws:kms:eu-west-1:999999999999:key/" + id, kms.ErrNotFound,
			"Key 'arn:aws:kms:eu-west-1:999999999999:key/" + id + "' does not exist"},
		{"malformed arn", "arn:aws:kms:eu-west-1", kms.ErrInvalidArn, ""},
		{"missing alias", "alias/none", kms.ErrNotFound, "Alias arn:aws:kms:eu-west-1:123456789012:alias/none is not found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.DescribeKey(ctx, tc.ref)
			wantKind(t, err, tc.kind, tc.msg)
		})
	}
	t.Run("alias where only keys are accepted", func(t *testing.T) {
		if err := svc.CreateAlias(ctx, "alias/x", id); err != nil {
			t.Fatal(err)
		}
		wantKind(t, svc.DisableKey(ctx, "alias/x"), kms.ErrNotFound, "Invalid keyId 'alias/x'")
	})
}

func TestReEncryptAndDataKeys(t *testing.T) {
	ctx := sysCtx()
	svc, _ := newService(t)
	a := mustCreate(t, svc, kms.CreateKeyInput{})
	b := mustCreate(t, svc, kms.CreateKeyInput{})
	dk, err := svc.GenerateDataKey(ctx, a, 32, map[string]string{"x": "1"}, true, kms.CryptoOptions{})
	if err != nil || len(dk.Plaintext) != 32 {
		t.Fatalf("GenerateDataKey = %+v, %v", dk, err)
	}
	src, dst, err := svc.ReEncrypt(ctx, a, dk.Blob, map[string]string{"x": "1"}, b, map[string]string{"y": "2"}, kms.CryptoOptions{}, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if src.KeyARN != svc.KeyARN(a) || dst.KeyARN != svc.KeyARN(b) || src.Plaintext != nil {
		t.Fatalf("ReEncrypt = %+v / %+v", src, dst)
	}
	dec, err := svc.Decrypt(ctx, "", dst.Blob, map[string]string{"y": "2"}, kms.CryptoOptions{})
	if err != nil || !bytes.Equal(dec.Plaintext, dk.Plaintext) {
		t.Fatalf("Decrypt of re-encrypted data key = %x, %v; want %x", dec.Plaintext, err, dk.Plaintext)
	}
	noPT, err := svc.GenerateDataKey(ctx, a, 16, nil, false, kms.CryptoOptions{})
	if err != nil || noPT.Plaintext != nil {
		t.Fatalf("WithoutPlaintext = %+v, %v", noPT, err)
	}
	if _, err := svc.Encrypt(ctx, a, []byte("x"), nil, kms.CryptoOptions{DryRun: true}); err == nil {
		t.Fatal("DryRun succeeded")
	} else {
		wantKind(t, err, kms.ErrDryRun, "The request would have succeeded, but the DryRun option is set.")
	}
	_, err = svc.Encrypt(ctx, a, []byte("x"), nil, kms.CryptoOptions{Algorithm: "RSAES_OAEP_SHA_256"})
	wantKind(t, err, kms.ErrInvalidKeyUsage, "")
}
