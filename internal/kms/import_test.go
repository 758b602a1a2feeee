package kms_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/ciphertext"
	"github.com/trent-kms/trent/internal/kms"
)

// wrapFor fetches import parameters for key id and wraps material with
// RSAES_OAEP_SHA_256 under an RSA_2048 wrapping key.
func wrapFor(t *testing.T, svc *kms.Service, id string, material []byte) (token, wrapped []byte) {
	t.Helper()
	p, err := svc.GetParametersForImport(sysCtx(), id, "RSAES_OAEP_SHA_256", "RSA_2048")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p.Token, wrapped
}

func TestImportExpiryIsDrivenByStoredState(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{Origin: kms.OriginExternal})
	material := bytes.Repeat([]byte{0x42}, 32)
	validTo := clk.Now().Add(2 * time.Hour)
	token, wrapped := wrapFor(t, svc, id, material)
	_, matID, err := svc.ImportKeyMaterial(ctx, id, token, wrapped, kms.ImportOptions{ValidTo: &validTo})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := svc.DescribeKey(ctx, id)
	if k.State != kms.StateEnabled || !kms.EarliestValidTo(k).Equal(validTo) || kms.CurrentMaterial(k).ID != matID {
		t.Fatalf("after import: %+v", k)
	}
	enc, err := svc.Encrypt(ctx, id, []byte("before expiry"), nil, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The blob really is under the imported bytes.
	if pt, err := ciphertext.Open(material, enc.Blob, nil); err != nil || string(pt) != "before expiry" {
		t.Fatalf("offline decryption with the imported material = %q, %v", pt, err)
	}

	clk.Advance(2*time.Hour - time.Second)
	if n, _ := svc.Sweep(ctx); n != 0 {
		t.Fatalf("material expired early")
	}
	clk.Advance(time.Second)
	if n, err := svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep at ValidTo = %d, %v", n, err)
	}
	k, _ = svc.DescribeKey(ctx, id)
	if k.State != kms.StatePendingImport || kms.CurrentMaterial(k) != nil {
		t.Fatalf("after expiry: state %s", k.State)
	}
	_, err = svc.Decrypt(ctx, "", enc.Blob, nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidState, svc.KeyARN(id)+" is pending import.")

	// Reimporting the same material makes old ciphertexts decrypt again;
	// other material is refused.
	token, wrapped = wrapFor(t, svc, id, bytes.Repeat([]byte{0x43}, 32))
	_, _, err = svc.ImportKeyMaterial(ctx, id, token, wrapped, kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire})
	wantKind(t, err, kms.ErrIncorrectKeyMaterial, "")
	token, wrapped = wrapFor(t, svc, id, material)
	if _, _, err := svc.ImportKeyMaterial(ctx, id, token, wrapped, kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire}); err != nil {
		t.Fatal(err)
	}
	dec, err := svc.Decrypt(ctx, "", enc.Blob, nil, kms.CryptoOptions{})
	if err != nil || string(dec.Plaintext) != "before expiry" {
		t.Fatalf("Decrypt after reimport = %q, %v", dec.Plaintext, err)
	}
}

func TestImportTokenLifetime(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{Origin: kms.OriginExternal})
	material := make([]byte, 32)
	rand.Read(material)
	token, wrapped := wrapFor(t, svc, id, material)
	clk.Advance(24 * time.Hour)
	_, _, err := svc.ImportKeyMaterial(ctx, id, token, wrapped, kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire})
	wantKind(t, err, kms.ErrExpiredImportToken, "")

	// The sweep destroys the expired parameter set (and its sealed
	// private key); the key itself is untouched.
	if n, err := svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep of expired parameters = %d, %v", n, err)
	}
	k, _ := svc.DescribeKey(ctx, id)
	if k.Import != nil || k.State != kms.StatePendingImport {
		t.Fatalf("after sweep: import params %+v, state %s", k.Import, k.State)
	}

	// One second short of 24 hours the token is still good.
	token, wrapped = wrapFor(t, svc, id, material)
	clk.Advance(24*time.Hour - time.Second)
	if _, _, err := svc.ImportKeyMaterial(ctx, id, token, wrapped, kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire}); err != nil {
		t.Fatal(err)
	}
	// Single use.
	_, _, err = svc.ImportKeyMaterial(ctx, id, token, wrapped, kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire})
	wantKind(t, err, kms.ErrInvalidImportToken, "")
}

func TestImportValidToRules(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{Origin: kms.OriginExternal})
	token, wrapped := wrapFor(t, svc, id, make([]byte, 32))
	at := func(d time.Duration) *time.Time { v := clk.Now().Add(d); return &v }
	for _, tc := range []struct {
		name string
		opt  kms.ImportOptions
		msg  string
	}{
		{"default model needs ValidTo", kms.ImportOptions{}, "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"},
		{"ValidTo in the past", kms.ImportOptions{ValidTo: at(-time.Second)}, ""},
		{"ValidTo now", kms.ImportOptions{ValidTo: at(0)}, ""},
		{"ValidTo beyond 365 days", kms.ImportOptions{ValidTo: at(365*24*time.Hour + time.Second)}, ""},
		{"DOES_NOT_EXPIRE with ValidTo", kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire, ValidTo: at(time.Hour)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := svc.ImportKeyMaterial(ctx, id, token, wrapped, tc.opt)
			wantKind(t, err, kms.ErrValidation, tc.msg)
		})
	}
	// None of those consumed the token: exactly 365 days is accepted.
	if _, _, err := svc.ImportKeyMaterial(ctx, id, token, wrapped, kms.ImportOptions{ValidTo: at(365 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

func TestExpiredMaterialIsNotUsedBeforeTheSweep(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{Origin: kms.OriginExternal})
	validTo := clk.Now().Add(time.Minute)
	token, wrapped := wrapFor(t, svc, id, make([]byte, 32))
	if _, _, err := svc.ImportKeyMaterial(ctx, id, token, wrapped, kms.ImportOptions{ValidTo: &validTo}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	// No Sweep: the stored state still says Enabled.
	k, _ := svc.DescribeKey(ctx, id)
	if k.State != kms.StateEnabled || svc.State(k) != kms.StatePendingImport {
		t.Fatalf("stored %s, seen %s", k.State, svc.State(k))
	}
	_, err := svc.Encrypt(ctx, id, []byte("x"), nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidState, svc.KeyARN(id)+" is pending import.")
	wantKind(t, svc.EnableKey(ctx, id), kms.ErrInvalidState, "")
}
