package e2e

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Importing asymmetric and HMAC key material, end to end. Keys are made
// locally, with openssl as AWS's documentation does (RSA, P-256,
// secp256k1) or with Go, wrapped with the documented openssl commands or
// with Go, imported, and then shown to be the very keys: Trent's
// signatures verify with the local public key, local signatures verify
// with Trent's Verify, GetPublicKey is the local SPKI, MACs equal a local
// HMAC. Wrapping key pairs are generated per GetParametersForImport: only
// one RSA_4096 and one RSA_3072 call are made, and one RSA_3072 key is
// generated locally.

func TestImportAsymmetricKeys(t *testing.T) {
	ep := startServer(t)
	c := ep.client()
	d := newOSSL(t)
	opensslKW := func(t *testing.T, p importParams, m []byte) []byte { return d.wrapAESKW(p, m) }
	for _, tc := range []struct {
		name     string
		spec     types.KeySpec
		usage    types.KeyUsageType
		alg      types.AlgorithmSpec
		wrapSpec types.WrappingKeySpec
		material func(t *testing.T) []byte
		wrap     wrapFunc
	}{
		{"RSA_2048 openssl key, openssl RSA_AES_KEY_WRAP_SHA_256", types.KeySpecRsa2048, types.KeyUsageTypeSignVerify, kwSHA256, rsa2048,
			func(*testing.T) []byte { return d.genPKCS8("rsa -pkeyopt rsa_keygen_bits:2048") }, opensslKW},
		{"ECC_NIST_P256 openssl key, openssl RSA_AES_KEY_WRAP_SHA_1", types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify, kwSHA1, rsa3072,
			func(*testing.T) []byte { return d.genPKCS8("ec -pkeyopt ec_paramgen_curve:P-256") }, opensslKW},
		{"ECC_SECG_P256K1 openssl key, Go RSAES_OAEP_SHA_256", types.KeySpecEccSecgP256k1, types.KeyUsageTypeSignVerify, oaepSHA256, rsa2048,
			func(*testing.T) []byte { return d.genPKCS8("ec -pkeyopt ec_paramgen_curve:secp256k1") }, wrapGo},
		{"ECC_NIST_P384 Go key, openssl RSAES_OAEP_SHA_1", types.KeySpecEccNistP384, types.KeyUsageTypeSignVerify, oaepSHA1, rsa2048,
			func(t *testing.T) []byte { return goPKCS8(t, ecKey(elliptic.P384())) }, wrapOpenSSL},
		{"ECC_NIST_P521 Go key, Go RSA_AES_KEY_WRAP_SHA_256", types.KeySpecEccNistP521, types.KeyUsageTypeSignVerify, kwSHA256, rsa2048,
			func(t *testing.T) []byte { return goPKCS8(t, ecKey(elliptic.P521())) }, wrapAESKWGo},
		{"ECC_NIST_EDWARDS25519 Go key, openssl RSA_AES_KEY_WRAP_SHA_1", types.KeySpecEccNistEdwards25519, types.KeyUsageTypeSignVerify, kwSHA1, rsa2048,
			func(t *testing.T) []byte {
				return goPKCS8(t, func() (crypto.Signer, error) { _, k, err := ed25519.GenerateKey(rand.Reader); return k, err })
			}, opensslKW},
		{"RSA_3072 Go key, Go RSA_AES_KEY_WRAP_SHA_1 under RSA_4096", types.KeySpecRsa3072, types.KeyUsageTypeSignVerify, kwSHA1, rsa4096,
			func(t *testing.T) []byte {
				return goPKCS8(t, func() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, 3072) })
			}, wrapAESKWGo},
		{"HMAC_256 openssl RSAES_OAEP_SHA_256", types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac, oaepSHA256, rsa2048,
			func(t *testing.T) []byte { return randomBytes(t, 32) }, wrapOpenSSL},
		{"HMAC_512 100-byte key, Go RSAES_OAEP_SHA_1", types.KeySpecHmac512, types.KeyUsageTypeGenerateVerifyMac, oaepSHA1, rsa2048,
			func(t *testing.T) []byte { return randomBytes(t, 100) }, wrapGo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := createExternal(t, c, tc.spec, tc.usage)
			k := localOf(t, d, tc.spec, tc.material(t))
			importMaterial(t, c, id, tc.alg, tc.wrapSpec, tc.wrap, k.der)
			checkLocalKey(t, c, d, id, tc.spec, k)
		})
	}
}

// TestImportAsymmetricReimport: one material forever. After deletion the
// key is PendingImport but keeps its public key; the same private key,
// even encoded differently, comes back under the same KeyMaterialId;
// another key of the same spec, and ImportType, are refused.
func TestImportAsymmetricReimport(t *testing.T) {
	ep := startServer(t)
	c := ep.client()
	d := newOSSL(t)
	ctx := context.Background()
	id := createExternal(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)

	_, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(id)})
	apiError(t, err, "KMSInvalidStateException", keyARN(id)+" is pending import.")

	k := localOf(t, d, types.KeySpecEccNistP256, d.genPKCS8("ec -pkeyopt ec_paramgen_curve:P-256"))
	mid := importMaterial(t, c, id, kwSHA256, rsa2048, wrapAESKWGo, k.der)

	p := getParams(t, c, id, oaepSHA256, rsa2048)
	in := importInput(id, p.token, wrapGo(t, p, k.der))
	in.ImportType = types.ImportTypeExistingKeyMaterial
	importErr(t, c, in, "UnsupportedOperationException", "")

	other := goPKCS8(t, ecKey(elliptic.P256()))
	p = getParams(t, c, id, oaepSHA256, rsa2048)
	importErr(t, c, importInput(id, p.token, wrapGo(t, p, other)), "IncorrectKeyMaterialException", msgMaterialDiffers)

	if _, err := c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if md := describe(t, c, id); md.KeyState != types.KeyStatePendingImport {
		t.Fatalf("state %s after DeleteImportedKeyMaterial", md.KeyState)
	}
	pub, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(id)})
	if err != nil || string(pub.PublicKey) != string(k.spki) {
		t.Fatalf("GetPublicKey in PendingImport after deletion: %v", err)
	}
	_, err = c.Sign(ctx, &kms.SignInput{KeyId: aws.String(id), Message: []byte("m"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	apiError(t, err, "KMSInvalidStateException", keyARN(id)+" is pending import.")

	// The same key as Go encodes it (openssl's PKCS#8 differs in bytes).
	priv, err := x509.ParsePKCS8PrivateKey(k.der)
	if err != nil {
		t.Fatal(err)
	}
	reencoded, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if again := importMaterial(t, c, id, oaepSHA1, rsa2048, wrapOpenSSL, reencoded); again != mid {
		t.Fatalf("reimport KeyMaterialId %q, first import %q", again, mid)
	}
	checkLocalKey(t, c, d, id, types.KeySpecEccNistP256, k)
}

// TestImportAsymmetricRefusals: the combinations AWS does not allow, ML-DSA,
// and material that is not of the key's spec.
func TestImportAsymmetricRefusals(t *testing.T) {
	ep := startServer(t)
	c := ep.client()
	ctx := context.Background()
	_, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecMlDsa44, KeyUsage: types.KeyUsageTypeSignVerify, Origin: types.OriginTypeExternal})
	apiError(t, err, "UnsupportedOperationException", "KeySpec ML_DSA_44 is not supported for Origin EXTERNAL")

	for _, tc := range []struct {
		spec  types.KeySpec
		usage types.KeyUsageType
		alg   types.AlgorithmSpec
		wrap  types.WrappingKeySpec
	}{
		{types.KeySpecEccNistP521, types.KeyUsageTypeSignVerify, oaepSHA256, rsa2048},
		{types.KeySpecEccNistP521, types.KeyUsageTypeKeyAgreement, oaepSHA1, rsa2048},
		{types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt, oaepSHA256, rsa2048},
		{types.KeySpecHmac384, types.KeyUsageTypeGenerateVerifyMac, kwSHA256, rsa2048},
	} {
		t.Run(string(tc.spec)+"/"+string(tc.alg)+"/"+string(tc.wrap), func(t *testing.T) {
			id := createExternal(t, c, tc.spec, tc.usage)
			_, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: aws.String(id), WrappingAlgorithm: tc.alg, WrappingKeySpec: tc.wrap})
			apiError(t, err, "UnsupportedOperationException", "")
		})
	}

	for _, tc := range []struct {
		name     string
		spec     types.KeySpec
		usage    types.KeyUsageType
		alg      types.AlgorithmSpec
		material []byte
		msg      string
	}{
		{"P-384 into ECC_NIST_P256", types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify, kwSHA256,
			goPKCS8(t, ecKey(elliptic.P384())), "The key material is for key spec ECC_NIST_P384, not ECC_NIST_P256."},
		{"P-256 into RSA_2048", types.KeySpecRsa2048, types.KeyUsageTypeSignVerify, kwSHA256,
			goPKCS8(t, ecKey(elliptic.P256())), "The key material is for key spec ECC_NIST_P256, not RSA_2048."},
		{"raw bytes into Ed25519", types.KeySpecEccNistEdwards25519, types.KeyUsageTypeSignVerify, oaepSHA256,
			randomBytes(t, 32), "The key material is not a DER-encoded PKCS#8 private key."},
		{"16 bytes into HMAC_256", types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac, oaepSHA256,
			randomBytes(t, 16), "The key material for key spec HMAC_256 must be 32 to 128 bytes long."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := createExternal(t, c, tc.spec, tc.usage)
			p := getParams(t, c, id, tc.alg, rsa2048)
			wrap := wrapGo
			if tc.alg == kwSHA256 {
				wrap = wrapAESKWGo
			}
			importErr(t, c, importInput(id, p.token, wrap(t, p, tc.material)), "IncorrectKeyMaterialException", tc.msg)
			if md := describe(t, c, id); md.KeyState != types.KeyStatePendingImport {
				t.Fatalf("state %s after refused material", md.KeyState)
			}
		})
	}
}
