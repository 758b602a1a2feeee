package kms_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"testing"

	"github.com/trent-kms/trent/internal/kms"
)

// signCells are the SIGN_VERIFY key specs with the key type Go's x509
// parses its public key to ("" where x509 does not know the algorithm).
var signCells = []struct{ spec, goType string }{
	{"RSA_2048", "*rsa.PublicKey"}, {"RSA_3072", "*rsa.PublicKey"},
	{"ECC_NIST_P256", "*ecdsa.PublicKey"}, {"ECC_NIST_P384", "*ecdsa.PublicKey"}, {"ECC_NIST_P521", "*ecdsa.PublicKey"},
	{"ECC_SECG_P256K1", ""}, {"ECC_NIST_EDWARDS25519", "ed25519.PublicKey"},
	{"ML_DSA_44", ""}, {"ML_DSA_65", ""}, {"ML_DSA_87", ""},
}

func createSpec(t *testing.T, svc *kms.Service, spec, usage string) string {
	t.Helper()
	return mustCreate(t, svc, kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
}

// TestSignVerifyEverySpec signs with every algorithm of every signing spec
// and verifies in the core; a changed message or signature is
// KMSInvalidSignatureException with no message.
func TestSignVerifyEverySpec(t *testing.T) {
	svc, _ := newService(t)
	ctx := sysCtx()
	for _, c := range signCells {
		id := createSpec(t, svc, c.spec, kms.UsageSignVerify)
		pk, err := svc.GetPublicKey(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.goType != "" {
			pub, err := x509.ParsePKIXPublicKey(pk.PublicKey)
			if err != nil {
				t.Fatalf("%s: SPKI does not parse: %v", c.spec, err)
			}
			if got := typeName(pub); got != c.goType {
				t.Fatalf("%s: public key is %s, want %s", c.spec, got, c.goType)
			}
		}
		for _, alg := range kms.AlgorithmsOf(c.spec, kms.UsageSignVerify).Signing {
			t.Run(c.spec+"/"+alg, func(t *testing.T) {
				in := kms.SignInput{Message: []byte("the message"), Algorithm: alg}
				if alg == "ED25519_PH_SHA_512" {
					in.MessageType = "DIGEST"
					in.Message = bytes.Repeat([]byte{7}, 64)
				}
				res, err := svc.Sign(ctx, id, in)
				if err != nil {
					t.Fatal(err)
				}
				if res.KeyARN != svc.KeyARN(id) || res.Algorithm != alg {
					t.Fatalf("Sign = %+v", res)
				}
				if _, err := svc.Verify(ctx, id, in, res.Signature); err != nil {
					t.Fatalf("Verify: %v", err)
				}
				bad := in
				bad.Message = append([]byte{1}, in.Message[1:]...)
				_, err = svc.Verify(ctx, id, bad, res.Signature)
				wantKind(t, err, kms.ErrInvalidSignature, "")
				sig := bytes.Clone(res.Signature)
				sig[len(sig)/2] ^= 1
				_, err = svc.Verify(ctx, id, in, sig)
				wantKind(t, err, kms.ErrInvalidSignature, "")
			})
		}
	}
}

func typeName(pub any) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "*rsa.PublicKey"
	case *ecdsa.PublicKey:
		return "*ecdsa.PublicKey"
	case ed25519.PublicKey:
		return "ed25519.PublicKey"
	}
	return "?"
}

// TestMacEverySpec checks that GenerateMac is deterministic and as long as
// the hash, that VerifyMac accepts it, and that any change is
// KMSInvalidMacException with no message.
func TestMacEverySpec(t *testing.T) {
	svc, _ := newService(t)
	ctx := sysCtx()
	for spec, n := range map[string]int{"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64} {
		t.Run(spec, func(t *testing.T) {
			id := createSpec(t, svc, spec, kms.UsageGenerateVerifyMAC)
			in := kms.MacInput{Message: []byte("m"), Algorithm: kms.AlgorithmsOf(spec, kms.UsageGenerateVerifyMAC).MAC[0]}
			a, err := svc.GenerateMac(ctx, id, in)
			if err != nil {
				t.Fatal(err)
			}
			b, err := svc.GenerateMac(ctx, id, in)
			if err != nil || !bytes.Equal(a.Mac, b.Mac) || len(a.Mac) != n {
				t.Fatalf("MACs %x, %x (%v), want equal and %d bytes", a.Mac, b.Mac, err, n)
			}
			if _, err := svc.VerifyMac(ctx, id, in, a.Mac); err != nil {
				t.Fatal(err)
			}
			_, err = svc.VerifyMac(ctx, id, in, a.Mac[:n-1])
			wantKind(t, err, kms.ErrInvalidMac, "")
			_, err = svc.VerifyMac(ctx, id, kms.MacInput{Message: []byte("n"), Algorithm: in.Algorithm}, a.Mac)
			wantKind(t, err, kms.ErrInvalidMac, "")
			other := createSpec(t, svc, spec, kms.UsageGenerateVerifyMAC)
			_, err = svc.VerifyMac(ctx, other, in, a.Mac)
			wantKind(t, err, kms.ErrInvalidMac, "")
		})
	}
}

// TestRSAEncryption: ciphertext made locally with GetPublicKey's key
// decrypts in the core, Encrypt's ciphertext decrypts, ReEncrypt moves
// between RSA and symmetric keys, and the RSA rules of asymmetric.md §6.
func TestRSAEncryption(t *testing.T) {
	svc, _ := newService(t)
	ctx := sysCtx()
	id := createSpec(t, svc, "RSA_2048", kms.UsageEncryptDecrypt)
	arn := svc.KeyARN(id)
	pk, err := svc.GetPublicKey(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(pk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	local, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), []byte("offline"), nil)
	if err != nil {
		t.Fatal(err)
	}
	oaep256 := kms.CryptoOptions{Algorithm: "RSAES_OAEP_SHA_256"}
	res, err := svc.Decrypt(ctx, id, local, nil, oaep256)
	if err != nil || string(res.Plaintext) != "offline" || res.KeyARN != arn || res.MaterialID != "" {
		t.Fatalf("Decrypt of local ciphertext = %+v, %v", res, err)
	}
	_, err = svc.Decrypt(ctx, id, local, nil, kms.CryptoOptions{Algorithm: "RSAES_OAEP_SHA_1"})
	wantKind(t, err, kms.ErrInvalidCiphertext, "")

	enc, err := svc.Encrypt(ctx, id, bytes.Repeat([]byte{1}, 190), nil, oaep256)
	if err != nil || len(enc.Blob) != 256 {
		t.Fatalf("Encrypt at the limit = %d bytes, %v", len(enc.Blob), err)
	}
	_, err = svc.Encrypt(ctx, id, bytes.Repeat([]byte{1}, 191), nil, oaep256)
	wantKind(t, err, kms.ErrValidation, "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.")
	_, err = svc.Encrypt(ctx, id, []byte("x"), nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidKeyUsage, "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.")
	_, err = svc.Encrypt(ctx, id, []byte("x"), map[string]string{"a": "b"}, oaep256)
	wantKind(t, err, kms.ErrValidation, "EncryptionContext is not supported for asymmetric KMS keys.")

	sym := mustCreate(t, svc, kms.CreateKeyInput{})
	src, dst, err := svc.ReEncrypt(ctx, id, enc.Blob, nil, sym, nil, oaep256, kms.CryptoOptions{})
	if err != nil || src.KeyARN != arn || dst.Algorithm != kms.AlgSymmetricDefault {
		t.Fatalf("ReEncrypt RSA→symmetric = %+v, %+v, %v", src, dst, err)
	}
	_, back, err := svc.ReEncrypt(ctx, "", dst.Blob, nil, id, nil, kms.CryptoOptions{}, kms.CryptoOptions{Algorithm: "RSAES_OAEP_SHA_1"})
	if err != nil || back.Algorithm != "RSAES_OAEP_SHA_1" {
		t.Fatalf("ReEncrypt symmetric→RSA = %+v, %v", back, err)
	}
	res, err = svc.Decrypt(ctx, id, back.Blob, nil, kms.CryptoOptions{Algorithm: "RSAES_OAEP_SHA_1"})
	if err != nil || !bytes.Equal(res.Plaintext, bytes.Repeat([]byte{1}, 190)) {
		t.Fatalf("Decrypt after ReEncrypt = %v", err)
	}
}

// TestGenerateDataKeyPair: the pair matches, the encrypted private key
// decrypts to the plaintext one under its context only.
func TestGenerateDataKeyPair(t *testing.T) {
	svc, _ := newService(t)
	ctx := sysCtx()
	sym := mustCreate(t, svc, kms.CreateKeyInput{})
	ec := map[string]string{"purpose": "test"}
	res, err := svc.GenerateDataKeyPair(ctx, sym, "ECC_NIST_P256", ec, true, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(res.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(res.PublicKey)
	if err != nil || !priv.(*ecdsa.PrivateKey).PublicKey.Equal(pub) {
		t.Fatalf("public key does not match the private key: %v", err)
	}
	dec, err := svc.Decrypt(ctx, "", res.Blob, ec, kms.CryptoOptions{})
	if err != nil || !bytes.Equal(dec.Plaintext, res.PrivateKey) {
		t.Fatalf("Decrypt of the private key blob: %v", err)
	}
	_, err = svc.Decrypt(ctx, "", res.Blob, nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidCiphertext, "")
	without, err := svc.GenerateDataKeyPair(ctx, sym, "RSA_2048", nil, false, kms.CryptoOptions{})
	if err != nil || without.PrivateKey != nil || len(without.PublicKey) != 294 || len(without.MaterialID) != 64 {
		t.Fatalf("WithoutPlaintext = %+v, %v", without, err)
	}
	_, err = svc.GenerateDataKeyPair(ctx, sym, "SM2", nil, true, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrUnsupported, "KeySpec SM2 is not supported in this Region")
}

// TestDeriveSharedSecret: the secret equals one computed locally with the
// key GetPublicKey returns; a peer key that is not an SPKI of the curve is
// ValidationException with no message.
func TestDeriveSharedSecret(t *testing.T) {
	svc, _ := newService(t)
	ctx := sysCtx()
	id := createSpec(t, svc, "ECC_NIST_P384", kms.UsageKeyAgreement)
	peer, err := ecdh.P384().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	peerSPKI, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.DeriveSharedSecret(ctx, id, "ECDH", peerSPKI, false)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := svc.GetPublicKey(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(pk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := pub.(*ecdsa.PublicKey).ECDH()
	if err != nil {
		t.Fatal(err)
	}
	want, err := peer.ECDH(ep)
	if err != nil || !bytes.Equal(res.Secret, want) || res.Origin != kms.OriginAWSKMS {
		t.Fatalf("secret %x, want %x (%v)", res.Secret, want, err)
	}
	other, _ := ecdh.P256().GenerateKey(rand.Reader)
	otherSPKI, _ := x509.MarshalPKIXPublicKey(other.PublicKey())
	for name, bad := range map[string][]byte{"garbage": []byte("not a key"), "other curve": otherSPKI} {
		t.Run(name, func(t *testing.T) {
			_, err := svc.DeriveSharedSecret(ctx, id, "ECDH", bad, false)
			wantKind(t, err, kms.ErrValidation, "")
		})
	}
}

// TestPublicKeyStoredAtCreation: a generated key pair's public key is
// stored beside its sealed private key (so public-key operations need not
// unseal it), and it is the one GetPublicKey answers; symmetric and HMAC
// material has none.
func TestPublicKeyStoredAtCreation(t *testing.T) {
	svc, _, st := newServiceStore(t)
	for _, c := range []struct{ spec, usage string }{
		{"ECC_NIST_P256", kms.UsageSignVerify}, {"RSA_2048", kms.UsageEncryptDecrypt},
		{"HMAC_256", kms.UsageGenerateVerifyMAC}, {"SYMMETRIC_DEFAULT", kms.UsageEncryptDecrypt},
	} {
		id := createSpec(t, svc, c.spec, c.usage)
		k, err := st.GetKey(sysCtx(), id)
		if err != nil {
			t.Fatal(err)
		}
		stored := k.Materials[0].PublicKey
		if c.spec == "HMAC_256" || c.spec == "SYMMETRIC_DEFAULT" {
			if stored != nil {
				t.Errorf("%s: a public key is stored", c.spec)
			}
			continue
		}
		pk, err := svc.GetPublicKey(sysCtx(), id)
		if err != nil || len(stored) == 0 || !bytes.Equal(stored, pk.PublicKey) {
			t.Errorf("%s: stored public key %x, GetPublicKey %x, %v", c.spec, stored, pk.PublicKey, err)
		}
	}
}
