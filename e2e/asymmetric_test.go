package e2e

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"hash"
	"os/exec"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The SIGN_VERIFY specs signed with in Trent and checked outside it, with
// their algorithms as DescribeKey and GetPublicKey must list them.
var e2eSignSpecs = []struct {
	spec types.KeySpec
	algs []types.SigningAlgorithmSpec
}{
	{types.KeySpecRsa2048, []types.SigningAlgorithmSpec{"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"}},
	{types.KeySpecEccNistP256, []types.SigningAlgorithmSpec{"ECDSA_SHA_256"}},
	{types.KeySpecEccNistP384, []types.SigningAlgorithmSpec{"ECDSA_SHA_384"}},
	{types.KeySpecEccNistP521, []types.SigningAlgorithmSpec{"ECDSA_SHA_512"}},
	{types.KeySpecEccSecgP256k1, []types.SigningAlgorithmSpec{"ECDSA_SHA_256"}},
	{types.KeySpecEccNistEdwards25519, []types.SigningAlgorithmSpec{"ED25519_SHA_512", "ED25519_PH_SHA_512"}},
	{types.KeySpecMlDsa44, []types.SigningAlgorithmSpec{"ML_DSA_SHAKE_256"}},
}

// TestSDKSignVerify signs in Trent with every algorithm of each signing
// spec and checks the signature with Go's crypto and with openssl from the
// public key GetPublicKey returns; Trent's Verify takes the locally
// computed digest of the same message; a tampered signature is
// KMSInvalidSignatureException.
func TestSDKSignVerify(t *testing.T) {
	requireTool(t, "openssl", func() error { _, err := exec.LookPath("openssl"); return err })
	ctx := context.Background()
	c := startServer(t).client()
	for _, tc := range e2eSignSpecs {
		t.Run(string(tc.spec), func(t *testing.T) {
			created, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: tc.spec, KeyUsage: types.KeyUsageTypeSignVerify})
			if err != nil {
				t.Fatal(err)
			}
			md := created.KeyMetadata
			if !slices.Equal(md.SigningAlgorithms, tc.algs) || md.EncryptionAlgorithms != nil || md.CurrentKeyMaterialId != nil || md.KeySpec != tc.spec {
				t.Fatalf("CreateKey metadata: %+v", md)
			}
			pk, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(pk.KeyId) != aws.ToString(md.Arn) || pk.KeySpec != tc.spec || pk.KeyUsage != types.KeyUsageTypeSignVerify ||
				!slices.Equal(pk.SigningAlgorithms, tc.algs) || pk.EncryptionAlgorithms != nil || pk.KeyAgreementAlgorithms != nil {
				t.Fatalf("GetPublicKey: %+v", pk)
			}
			for _, alg := range tc.algs {
				t.Run(string(alg), func(t *testing.T) {
					msg := []byte("signed by Trent with " + string(alg))
					in := &kms.SignInput{KeyId: md.KeyId, Message: msg, SigningAlgorithm: alg}
					if alg == "ED25519_PH_SHA_512" { // DIGEST is required: a SHA-512 digest
						d := sha512.Sum512(msg)
						msg = d[:]
						in.Message, in.MessageType = msg, types.MessageTypeDigest
					}
					signed, err := c.Sign(ctx, in)
					if err != nil {
						t.Fatal(err)
					}
					sig := signed.Signature
					if !goVerify(t, pk.PublicKey, alg, msg, sig) {
						t.Fatal("Go's crypto rejects Trent's signature")
					}
					if valid, ok := opensslVerify(t, pk.PublicKey, alg, msg, sig); ok && !valid {
						t.Fatal("openssl rejects Trent's signature")
					}
					// A message and its digest are the same message to Verify.
					vin := &kms.VerifyInput{KeyId: md.KeyId, Message: in.Message, MessageType: in.MessageType, Signature: sig, SigningAlgorithm: alg}
					if digestable(alg) {
						_, newHash := algHash(alg)
						d := newHash()
						d.Write(msg)
						vin.Message, vin.MessageType = d.Sum(nil), types.MessageTypeDigest
					}
					v, err := c.Verify(ctx, vin)
					if err != nil || !v.SignatureValid || v.SigningAlgorithm != alg {
						t.Fatalf("Verify = %+v, %v", v, err)
					}
					bad := bytes.Clone(sig)
					bad[len(bad)/2] ^= 0x40
					vin.Signature = bad
					_, err = c.Verify(ctx, vin)
					apiError(t, err, "KMSInvalidSignatureException", "")
					if valid, ok := opensslVerify(t, pk.PublicKey, alg, msg, bad); ok && valid {
						t.Fatal("openssl accepts a tampered signature: the check proves nothing")
					}
				})
			}
		})
	}
}

// TestSDKMac: GenerateMac and VerifyMac agree, a tampered MAC or message
// is KMSInvalidMacException, and an HMAC key has no public key.
func TestSDKMac(t *testing.T) {
	ctx := context.Background()
	c := startServer(t).client()
	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac384, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	if err != nil {
		t.Fatal(err)
	}
	md := created.KeyMetadata
	if !slices.Equal(md.MacAlgorithms, []types.MacAlgorithmSpec{"HMAC_SHA_384"}) || md.CurrentKeyMaterialId != nil {
		t.Fatalf("metadata: %+v", md)
	}
	msg := []byte("authenticated")
	m, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: msg, MacAlgorithm: "HMAC_SHA_384"})
	if err != nil || len(m.Mac) != 48 || aws.ToString(m.KeyId) != aws.ToString(md.Arn) {
		t.Fatalf("GenerateMac = %+v, %v", m, err)
	}
	v, err := c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, Message: msg, MacAlgorithm: "HMAC_SHA_384", Mac: m.Mac})
	if err != nil || !v.MacValid {
		t.Fatalf("VerifyMac = %+v, %v", v, err)
	}
	bad := bytes.Clone(m.Mac)
	bad[0] ^= 1
	_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, Message: msg, MacAlgorithm: "HMAC_SHA_384", Mac: bad})
	apiError(t, err, "KMSInvalidMacException", "")
	_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, Message: []byte("other"), MacAlgorithm: "HMAC_SHA_384", Mac: m.Mac})
	apiError(t, err, "KMSInvalidMacException", "")
	_, err = c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: msg, MacAlgorithm: "HMAC_SHA_256"})
	apiError(t, err, "InvalidKeyUsageException", "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_384.")
	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId})
	apiError(t, err, "UnsupportedOperationException", "")
}

// TestSDKRSAEncryption: ciphertext made locally from GetPublicKey's key
// with OAEP SHA-1 and SHA-256 decrypts in Trent; EncryptionAlgorithm is
// required for an RSA key.
func TestSDKRSAEncryption(t *testing.T) {
	ctx := context.Background()
	c := startServer(t).client()
	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa3072, KeyUsage: types.KeyUsageTypeEncryptDecrypt})
	if err != nil {
		t.Fatal(err)
	}
	id, arn := created.KeyMetadata.KeyId, aws.ToString(created.KeyMetadata.Arn)
	pk, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: id})
	if err != nil || !slices.Equal(pk.EncryptionAlgorithms, []types.EncryptionAlgorithmSpec{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}) {
		t.Fatalf("GetPublicKey = %+v, %v", pk, err)
	}
	pub := parseSPKI(t, pk.PublicKey).(*rsa.PublicKey)
	for alg, h := range map[types.EncryptionAlgorithmSpec]func() hash.Hash{"RSAES_OAEP_SHA_1": sha1.New, "RSAES_OAEP_SHA_256": sha256.New} {
		ct, err := rsa.EncryptOAEP(h(), rand.Reader, pub, []byte("made offline"), nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := c.Decrypt(ctx, &kms.DecryptInput{KeyId: id, CiphertextBlob: ct, EncryptionAlgorithm: alg})
		if err != nil || string(d.Plaintext) != "made offline" || aws.ToString(d.KeyId) != arn || d.KeyMaterialId != nil {
			t.Fatalf("%s: Decrypt = %+v, %v", alg, d, err)
		}
		e, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("in Trent"), EncryptionAlgorithm: alg})
		if err != nil || len(e.CiphertextBlob) != 384 {
			t.Fatalf("%s: Encrypt = %v", alg, err)
		}
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	apiError(t, err, "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_3072.")
}

// TestSDKDataKeyPairAndECDH: a data key pair's private key decrypts from
// its blob and matches its public key; DeriveSharedSecret agrees with a
// locally computed ECDH secret.
func TestSDKDataKeyPairAndECDH(t *testing.T) {
	ctx := context.Background()
	c := startServer(t).client()
	sym, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: sym.KeyMetadata.KeyId, KeyPairSpec: types.DataKeyPairSpecEccNistP384})
	if err != nil || len(aws.ToString(pair.KeyMaterialId)) != 64 {
		t.Fatalf("GenerateDataKeyPair = %+v, %v", pair, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(pair.PrivateKeyPlaintext)
	if err != nil || !priv.(*ecdsa.PrivateKey).PublicKey.Equal(parseSPKI(t, pair.PublicKey)) {
		t.Fatalf("the pair does not match: %v", err)
	}
	d, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: pair.PrivateKeyCiphertextBlob})
	if err != nil || !bytes.Equal(d.Plaintext, pair.PrivateKeyPlaintext) {
		t.Fatalf("Decrypt of the private key: %v", err)
	}

	agree, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeKeyAgreement})
	if err != nil || !slices.Equal(agree.KeyMetadata.KeyAgreementAlgorithms, []types.KeyAgreementAlgorithmSpec{"ECDH"}) {
		t.Fatalf("CreateKey KEY_AGREEMENT = %+v, %v", agree, err)
	}
	peer, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	peerSPKI, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: agree.KeyMetadata.KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey: peerSPKI})
	if err != nil || res.KeyOrigin != types.OriginTypeAwsKms {
		t.Fatalf("DeriveSharedSecret = %+v, %v", res, err)
	}
	pk, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: agree.KeyMetadata.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	trentPub, err := parseSPKI(t, pk.PublicKey).(*ecdsa.PublicKey).ECDH()
	if err != nil {
		t.Fatal(err)
	}
	want, err := peer.ECDH(trentPub)
	if err != nil || !bytes.Equal(res.SharedSecret, want) {
		t.Fatalf("shared secret differs from the local one (%v)", err)
	}
	_, err = c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: agree.KeyMetadata.KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey: []byte("garbage")})
	apiError(t, err, "ValidationException", "")
}
