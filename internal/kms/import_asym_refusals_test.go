package kms_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// TestImportAsymmetricCombinationRefusals: the cells of AWS's combination
// table that are not allowed, and ML-DSA, which AWS does not import.
func TestImportAsymmetricCombinationRefusals(t *testing.T) {
	svc, _ := newService(t)
	ctx := sysCtx()
	for _, tc := range []struct{ spec, usage, alg, wrap, msg string }{
		{"ECC_NIST_P521", kms.UsageSignVerify, "RSAES_OAEP_SHA_256", "RSA_2048", "ECC_NIST_P521 key material does not fit in RSA_2048 with an RSAES_OAEP wrapping algorithm; use RSA_AES_KEY_WRAP or a larger wrapping key."},
		{"ECC_NIST_P521", kms.UsageSignVerify, "RSAES_OAEP_SHA_1", "RSA_2048", ""},
		{"RSA_2048", kms.UsageSignVerify, "RSAES_OAEP_SHA_256", "RSA_4096", "Wrapping algorithm RSAES_OAEP_SHA_256 is not valid for key material of key spec RSA_2048."},
		{"RSA_4096", kms.UsageEncryptDecrypt, "RSAES_OAEP_SHA_1", "RSA_2048", ""},
		{"HMAC_256", kms.UsageGenerateVerifyMAC, "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048", ""},
		{"ECC_NIST_P256", kms.UsageSignVerify, "RSAES_PKCS1_V1_5", "RSA_2048", ""},
		{"ECC_NIST_EDWARDS25519", kms.UsageSignVerify, "SM2PKE", "SM2", ""},
	} {
		t.Run(tc.spec+"/"+tc.alg+"/"+tc.wrap, func(t *testing.T) {
			id := mustCreate(t, svc, kms.CreateKeyInput{KeySpec: tc.spec, KeyUsage: tc.usage, Origin: kms.OriginExternal})
			_, err := svc.GetParametersForImport(ctx, id, tc.alg, tc.wrap)
			wantKind(t, err, kms.ErrUnsupported, tc.msg)
		})
	}
	for _, spec := range []string{"ML_DSA_44", "ML_DSA_65", "ML_DSA_87"} {
		_, err := svc.CreateKey(ctx, kms.CreateKeyInput{KeySpec: spec, KeyUsage: kms.UsageSignVerify, Origin: kms.OriginExternal})
		wantKind(t, err, kms.ErrUnsupported, "KeySpec "+spec+" is not supported for Origin EXTERNAL")
	}
}

// TestImportAsymmetricWrongMaterial: material that unwraps but does not
// fit the key's spec is IncorrectKeyMaterialException, and the key stays
// PendingImport.
func TestImportAsymmetricWrongMaterial(t *testing.T) {
	svc, _ := newService(t)
	ctx := sysCtx()
	p256 := localKeyOf(t, "ECC_NIST_P256", "a")
	for _, tc := range []struct {
		name, spec, usage string
		material          []byte
		msg               string
	}{
		{"P-384 into P-256", "ECC_NIST_P256", kms.UsageSignVerify, localKeyOf(t, "ECC_NIST_P384", "a").der, "The key material is for key spec ECC_NIST_P384, not ECC_NIST_P256."},
		{"P-256 into secp256k1", "ECC_SECG_P256K1", kms.UsageSignVerify, p256.der, "The key material is for key spec ECC_NIST_P256, not ECC_SECG_P256K1."},
		{"secp256k1 into P-256", "ECC_NIST_P256", kms.UsageSignVerify, localKeyOf(t, "ECC_SECG_P256K1", "a").der, "The key material is for key spec ECC_SECG_P256K1, not ECC_NIST_P256."},
		{"Ed25519 into P-521", "ECC_NIST_P521", kms.UsageSignVerify, localKeyOf(t, "ECC_NIST_EDWARDS25519", "a").der, "The key material is for key spec ECC_NIST_EDWARDS25519, not ECC_NIST_P521."},
		{"RSA_2048 into RSA_3072", "RSA_3072", kms.UsageEncryptDecrypt, localKeyOf(t, "RSA_2048", "a").der, "The key material is for key spec RSA_2048, not RSA_3072."},
		{"P-256 into RSA_2048", "RSA_2048", kms.UsageSignVerify, p256.der, ""},
		{"not PKCS#8", "ECC_NIST_EDWARDS25519", kms.UsageSignVerify, bytes.Repeat([]byte{7}, 48), "The key material is not a DER-encoded PKCS#8 private key."},
		{"PKCS#8 with trailing bytes", "ECC_NIST_P256", kms.UsageSignVerify, append(bytes.Clone(p256.der), 0), "The key material is not a DER-encoded PKCS#8 private key."},
		{"HMAC_256 too short", "HMAC_256", kms.UsageGenerateVerifyMAC, make([]byte, 31), "The key material for key spec HMAC_256 must be 32 to 128 bytes long."},
		{"HMAC_224 too long", "HMAC_224", kms.UsageGenerateVerifyMAC, make([]byte, 129), "The key material for key spec HMAC_224 must be 28 to 128 bytes long."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := mustCreate(t, svc, kms.CreateKeyInput{KeySpec: tc.spec, KeyUsage: tc.usage, Origin: kms.OriginExternal})
			_, err := importLocal(t, svc, id, defaultWrap(tc.spec), "RSA_3072", tc.material, noExpiry)
			wantKind(t, err, kms.ErrIncorrectKeyMaterial, tc.msg)
			if k, _ := svc.DescribeKey(ctx, id); k.State != kms.StatePendingImport || len(k.Materials) != 0 {
				t.Fatalf("after refused import: state %s, %d materials", k.State, len(k.Materials))
			}
		})
	}
	// The bounds themselves are accepted: HMAC_224 takes 28 and 128 bytes.
	for _, n := range []int{28, 128} {
		id := mustCreate(t, svc, kms.CreateKeyInput{KeySpec: "HMAC_224", KeyUsage: kms.UsageGenerateVerifyMAC, Origin: kms.OriginExternal})
		material := bytes.Repeat([]byte{byte(n)}, n)
		if _, err := importLocal(t, svc, id, "RSAES_OAEP_SHA_256", "RSA_2048", material, noExpiry); err != nil {
			t.Fatalf("HMAC_224 with %d bytes: %v", n, err)
		}
		checkUsesLocal(t, svc, id, "HMAC_224", localKey{der: material})
	}
}

// TestImportAsymmetricLifecycle: one material forever. Reimport must bring
// the same private key; ImportType and the other symmetric-only
// parameters are refused; after deletion or expiry the key is
// PendingImport, still answers GetPublicKey, and works again once the same
// key is reimported.
func TestImportAsymmetricLifecycle(t *testing.T) {
	svc, clk := newService(t)
	ctx := sysCtx()
	id := mustCreate(t, svc, kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: kms.UsageSignVerify, Origin: kms.OriginExternal})
	arn := svc.KeyARN(id)
	lk := localKeyOf(t, "ECC_NIST_P256", "lifecycle")

	_, err := svc.GetPublicKey(ctx, id)
	wantKind(t, err, kms.ErrInvalidState, arn+" is pending import.")

	validTo := clk.Now().Add(time.Hour)
	matID, err := importLocal(t, svc, id, "RSAES_OAEP_SHA_1", "RSA_2048", lk.der, kms.ImportOptions{ValidTo: &validTo})
	if err != nil {
		t.Fatal(err)
	}
	checkUsesLocal(t, svc, id, "ECC_NIST_P256", lk)

	for name, opt := range map[string]kms.ImportOptions{
		"ImportType NEW":         {ImportType: kms.ImportNew, ExpirationModel: kms.ExpirationDoesNotExpire},
		"ImportType EXISTING":    {ImportType: kms.ImportExisting, ExpirationModel: kms.ExpirationDoesNotExpire},
		"KeyMaterialId":          {MaterialID: matID, ExpirationModel: kms.ExpirationDoesNotExpire},
		"KeyMaterialDescription": {Description: "mine", ExpirationModel: kms.ExpirationDoesNotExpire},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := importLocal(t, svc, id, "RSAES_OAEP_SHA_1", "RSA_2048", lk.der, opt)
			wantKind(t, err, kms.ErrUnsupported, "")
		})
	}
	// Another P-256 key is not the material of this KMS key.
	_, err = importLocal(t, svc, id, "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048", localKeyOf(t, "ECC_NIST_P256", "other").der, noExpiry)
	wantKind(t, err, kms.ErrIncorrectKeyMaterial, "The key material does not match the key material previously imported into this KMS key.")

	if _, gone, err := svc.DeleteImportedKeyMaterial(ctx, id, ""); err != nil || gone != matID {
		t.Fatalf("DeleteImportedKeyMaterial = %q, %v", gone, err)
	}
	wantState(t, svc, id, kms.StatePendingImport)
	if pub, err := svc.GetPublicKey(ctx, id); err != nil || !bytes.Equal(pub.PublicKey, lk.spki) {
		t.Fatalf("GetPublicKey after deletion: %v", err)
	}
	_, err = svc.Sign(ctx, id, kms.SignInput{Message: []byte("m"), Algorithm: "ECDSA_SHA_256"})
	wantKind(t, err, kms.ErrInvalidState, arn+" is pending import.")

	// Reimport, this time expiring, in the same key encoded by Trent's
	// canonical form or the customer's: the identity is the key's.
	validTo = clk.Now().Add(time.Hour)
	again, err := importLocal(t, svc, id, "RSA_AES_KEY_WRAP_SHA_1", "RSA_2048", lk.der, kms.ImportOptions{ValidTo: &validTo})
	if err != nil || again != matID {
		t.Fatalf("reimport = %q, %v; want %q", again, err, matID)
	}
	wantState(t, svc, id, kms.StateEnabled)
	checkUsesLocal(t, svc, id, "ECC_NIST_P256", lk)

	// Expiry: PendingImport at ValidTo, before and after the sweep; the
	// public key stays available.
	clk.Advance(time.Hour)
	_, err = svc.Verify(ctx, id, kms.SignInput{Message: []byte("m"), Algorithm: "ECDSA_SHA_256"}, localSign(t, "ECC_NIST_P256", lk, []byte("m")))
	wantKind(t, err, kms.ErrInvalidState, arn+" is pending import.")
	if n, err := svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v", n, err)
	}
	wantState(t, svc, id, kms.StatePendingImport)
	if pub, err := svc.GetPublicKey(ctx, id); err != nil || !bytes.Equal(pub.PublicKey, lk.spki) {
		t.Fatalf("GetPublicKey after expiry: %v", err)
	}
}

// TestImportHMACDeleteAndReimport: an HMAC key's MACs stop with its
// material and are the same after reimport.
func TestImportHMACDeleteAndReimport(t *testing.T) {
	svc, _ := newService(t)
	ctx := sysCtx()
	id, lk := createImported(t, svc, kms.CreateKeyInput{KeySpec: "HMAC_384", KeyUsage: kms.UsageGenerateVerifyMAC}, "reimport")
	in := kms.MacInput{Message: []byte("m"), Algorithm: "HMAC_SHA_384"}
	before, err := svc.GenerateMac(ctx, id, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.DeleteImportedKeyMaterial(ctx, id, ""); err != nil {
		t.Fatal(err)
	}
	_, err = svc.VerifyMac(ctx, id, in, before.Mac)
	wantKind(t, err, kms.ErrInvalidState, svc.KeyARN(id)+" is pending import.")
	_, err = svc.GetPublicKey(ctx, id)
	wantKind(t, err, kms.ErrUnsupported, "") // HMAC keys have no public key, in any state
	// Different bytes of a valid length are not this key's material.
	other := bytes.Clone(lk.der)
	other[0] ^= 1
	_, err = importLocal(t, svc, id, "RSAES_OAEP_SHA_1", "RSA_2048", other, noExpiry)
	wantKind(t, err, kms.ErrIncorrectKeyMaterial, "")
	if _, err := importLocal(t, svc, id, "RSAES_OAEP_SHA_1", "RSA_2048", lk.der, noExpiry); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.VerifyMac(ctx, id, in, before.Mac); err != nil {
		t.Fatalf("MAC made before deletion after reimport: %v", err)
	}
	checkUsesLocal(t, svc, id, "HMAC_384", lk)
}

// TestImportHMACWithPKCS1v15: with the legacy algorithm enabled, an HMAC
// key takes material of its hash length (the constant-time unwrap must
// know the length in advance; it used to assume 32 bytes).
func TestImportHMACWithPKCS1v15(t *testing.T) {
	st, err := sqlite.Open(t.TempDir() + "/trent.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rk, err := rootkey.OpenSoftware(t.TempDir() + "/root.key")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := kms.New(context.Background(), kms.Config{Store: st, RootKey: rk, Region: testRegion, AccountID: testAccount, AllowPKCS1v15Wrapping: true})
	if err != nil {
		t.Fatal(err)
	}
	id := mustCreate(t, svc, kms.CreateKeyInput{KeySpec: "HMAC_384", KeyUsage: kms.UsageGenerateVerifyMAC, Origin: kms.OriginExternal})
	material := bytes.Repeat([]byte{0x5a}, 48)
	p, err := svc.GetParametersForImport(sysCtx(), id, "RSAES_PKCS1_V1_5", "RSA_2048")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.ParsePKIXPublicKey(p.PublicKey)
	//lint:ignore SA1019 the legacy algorithm under test
	wrapped, err := rsa.EncryptPKCS1v15(rand.Reader, pub.(*rsa.PublicKey), material)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.ImportKeyMaterial(sysCtx(), id, p.Token, wrapped, noExpiry); err != nil {
		t.Fatal(err)
	}
	checkUsesLocal(t, svc, id, "HMAC_384", localKey{der: material})
}
