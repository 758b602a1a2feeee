package kms_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"hash"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/kms"
)

// localKey is key material made outside Trent, with the standard library
// (and decred's secp256k1 for ECC_SECG_P256K1), as a customer would.
type localKey struct {
	der    []byte                // PKCS#8 DER private key, or the raw HMAC key
	signer crypto.Signer         // nil for HMAC keys
	spki   []byte                // DER SubjectPublicKeyInfo; nil for HMAC keys
	k1     *secp256k1.PrivateKey // ECC_SECG_P256K1 only (signer is nil)
}

var (
	localKeysMu sync.Mutex
	localKeys   = map[string]localKey{}
)

// localKeyOf returns a local key of spec, the same one for every caller
// of the test binary with the same name (RSA_4096 generation is slow).
func localKeyOf(t *testing.T, spec, name string) localKey {
	t.Helper()
	localKeysMu.Lock()
	defer localKeysMu.Unlock()
	if k, ok := localKeys[spec+"/"+name]; ok {
		return k
	}
	k := newLocalKey(t, spec)
	localKeys[spec+"/"+name] = k
	return k
}

func newLocalKey(t *testing.T, spec string) localKey {
	t.Helper()
	var signer crypto.Signer
	var err error
	switch spec {
	case "RSA_2048", "RSA_3072", "RSA_4096":
		bits, _ := strconv.Atoi(strings.TrimPrefix(spec, "RSA_"))
		signer, err = rsa.GenerateKey(rand.Reader, bits)
	case "ECC_NIST_P256":
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ECC_NIST_P384":
		signer, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ECC_NIST_P521":
		signer, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "ECC_NIST_EDWARDS25519":
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	case "ECC_SECG_P256K1":
		return secp256k1Key(t)
	default: // HMAC_n: n bits of random key
		bits, _ := strconv.Atoi(strings.TrimPrefix(spec, "HMAC_"))
		raw := make([]byte, bits/8)
		rand.Read(raw)
		return localKey{der: raw}
	}
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	return localKey{der: der, signer: signer, spki: spki}
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
)

// secp256k1Key encodes a decred key as RFC 5915 inside PKCS#8, and its
// SPKI, by hand: the standard library does not know the curve.
func secp256k1Key(t *testing.T) localKey {
	t.Helper()
	priv, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	curve, _ := asn1.Marshal(oidSecp256k1)
	alg := pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: curve}}
	point := priv.PubKey().SerializeUncompressed()
	ec, err := asn1.Marshal(struct {
		Version    int
		PrivateKey []byte
		PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
	}{1, priv.Serialize(), asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(struct {
		Version    int
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}{0, alg, ec})
	if err != nil {
		t.Fatal(err)
	}
	spki, err := asn1.Marshal(struct {
		Algo      pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}{alg, asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
	if err != nil {
		t.Fatal(err)
	}
	return localKey{der: der, spki: spki, k1: priv}
}

// wrapLocal wraps material for the wrapping public key pubDER (an SPKI) as
// a customer does: RSAES_OAEP_* directly, RSA_AES_KEY_WRAP_* as a fresh
// 256-bit AES key under RSA-OAEP followed by the material under RFC 5649
// key wrap with padding.
func wrapLocal(t *testing.T, pubDER []byte, alg string, material []byte) []byte {
	t.Helper()
	parsed, err := x509.ParsePKIXPublicKey(pubDER)
	if err != nil {
		t.Fatal(err)
	}
	pub := parsed.(*rsa.PublicKey)
	var h hash.Hash = sha256.New()
	if strings.HasSuffix(alg, "_SHA_1") {
		h = sha1.New()
	}
	if strings.HasPrefix(alg, "RSAES_OAEP") {
		out, err := rsa.EncryptOAEP(h, rand.Reader, pub, material, nil)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	kek := make([]byte, 32)
	rand.Read(kek)
	head, err := rsa.EncryptOAEP(h, rand.Reader, pub, kek, nil)
	if err != nil {
		t.Fatal(err)
	}
	tail, err := byok.KeyWrapPad(kek, material)
	if err != nil {
		t.Fatal(err)
	}
	return append(head, tail...)
}

// importLocal gets import parameters for key id with alg and wrapSpec,
// wraps material and imports it.
func importLocal(t *testing.T, svc *kms.Service, id, alg, wrapSpec string, material []byte, opt kms.ImportOptions) (string, error) {
	t.Helper()
	p, err := svc.GetParametersForImport(sysCtx(), id, alg, wrapSpec)
	if err != nil {
		t.Fatalf("GetParametersForImport(%s, %s): %v", alg, wrapSpec, err)
	}
	_, matID, err := svc.ImportKeyMaterial(sysCtx(), id, p.Token, wrapLocal(t, p.PublicKey, alg, material), opt)
	return matID, err
}

// defaultWrap is an algorithm AWS allows for every key spec of the kind.
func defaultWrap(spec string) string {
	if strings.HasPrefix(spec, "HMAC_") {
		return "RSAES_OAEP_SHA_256"
	}
	return "RSA_AES_KEY_WRAP_SHA_256"
}

var noExpiry = kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire}

// createImported creates an EXTERNAL key like in and imports local key
// material of its spec (named name) into it.
func createImported(t *testing.T, svc *kms.Service, in kms.CreateKeyInput, name string) (string, localKey) {
	t.Helper()
	in.Origin = kms.OriginExternal
	id := mustCreate(t, svc, in)
	spec := in.KeySpec
	lk := localKeyOf(t, spec, name)
	if _, err := importLocal(t, svc, id, defaultWrap(spec), "RSA_2048", lk.der, noExpiry); err != nil {
		t.Fatalf("import into %s: %v", spec, err)
	}
	return id, lk
}
