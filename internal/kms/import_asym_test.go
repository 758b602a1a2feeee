package kms_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strings"
	"testing"

	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/trent-kms/trent/internal/kms"
)

// importSpec is a key spec that accepts imported material, with the usage
// the tests create it with and the wrapping algorithms AWS allows for it
// (import.md §3), in AWS's order.
type importSpec struct {
	spec, usage string
	algs        []string
	// every wrapping key spec, not only RSA_2048: the largest material of
	// each kind (RSA_3072/4096 wrapping keys cost seconds to generate).
	allWrapping bool
}

var (
	rsaAESAlgs  = []string{"RSA_AES_KEY_WRAP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1"}
	eccAlgs     = []string{"RSA_AES_KEY_WRAP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"}
	oaepAlgs    = []string{"RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"}
	importSpecs = []importSpec{
		{"RSA_2048", kms.UsageSignVerify, rsaAESAlgs, false},
		{"RSA_3072", kms.UsageSignVerify, rsaAESAlgs, false},
		{"RSA_4096", kms.UsageSignVerify, rsaAESAlgs, true},
		{"ECC_NIST_P256", kms.UsageSignVerify, eccAlgs, false},
		{"ECC_NIST_P384", kms.UsageSignVerify, eccAlgs, false},
		{"ECC_NIST_P521", kms.UsageSignVerify, eccAlgs, true},
		{"ECC_SECG_P256K1", kms.UsageSignVerify, eccAlgs, false},
		{"ECC_NIST_EDWARDS25519", kms.UsageSignVerify, eccAlgs, false},
		{"HMAC_224", kms.UsageGenerateVerifyMAC, oaepAlgs, false},
		{"HMAC_256", kms.UsageGenerateVerifyMAC, oaepAlgs, false},
		{"HMAC_384", kms.UsageGenerateVerifyMAC, oaepAlgs, false},
		{"HMAC_512", kms.UsageGenerateVerifyMAC, oaepAlgs, true},
	}
)

// TestImportAsymmetricMatrix imports local material into a key of every
// importable spec with every wrapping algorithm AWS allows for it, then
// checks that Trent uses exactly that material: signatures cross-verify
// with the local key, the public key is the local one, MACs equal a local
// HMAC. Every import after the first is a reimport of the same material,
// which must keep the KeyMaterialId.
func TestImportAsymmetricMatrix(t *testing.T) {
	svc, _ := newService(t)
	ctx := sysCtx()
	for _, is := range importSpecs {
		t.Run(is.spec, func(t *testing.T) {
			id := mustCreate(t, svc, kms.CreateKeyInput{KeySpec: is.spec, KeyUsage: is.usage, Origin: kms.OriginExternal})
			lk := localKeyOf(t, is.spec, "matrix")
			wrapSpecs := []string{"RSA_2048"}
			if is.allWrapping {
				wrapSpecs = append(wrapSpecs, "RSA_3072", "RSA_4096")
			}
			var first string
			for _, ws := range wrapSpecs {
				for _, alg := range is.algs {
					if is.spec == "ECC_NIST_P521" && ws == "RSA_2048" && strings.HasPrefix(alg, "RSAES_OAEP") {
						continue // forbidden: TestImportAsymmetricCombinationRefusals
					}
					t.Run(alg+"/"+ws, func(t *testing.T) {
						matID, err := importLocal(t, svc, id, alg, ws, lk.der, noExpiry)
						if err != nil {
							t.Fatal(err)
						}
						if first == "" {
							first = matID
						}
						if matID != first || len(matID) != 64 {
							t.Fatalf("KeyMaterialId %q, first import gave %q", matID, first)
						}
						k, _ := svc.DescribeKey(ctx, id)
						if k.State != kms.StateEnabled {
							t.Fatalf("state %s after import", k.State)
						}
					})
				}
			}
			checkUsesLocal(t, svc, id, is.spec, lk)
		})
	}
}

// checkUsesLocal checks that key id computes with the local key lk.
func checkUsesLocal(t *testing.T, svc *kms.Service, id, spec string, lk localKey) {
	t.Helper()
	ctx := sysCtx()
	msg := []byte("imported key material " + spec)
	if strings.HasPrefix(spec, "HMAC_") {
		alg := "HMAC_SHA_" + strings.TrimPrefix(spec, "HMAC_")
		r, err := svc.GenerateMac(ctx, id, kms.MacInput{Message: msg, Algorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		local := hmac.New(hashFor(spec), lk.der)
		local.Write(msg)
		if !hmac.Equal(r.Mac, local.Sum(nil)) {
			t.Fatalf("GenerateMac differs from a local HMAC of the imported key")
		}
		return
	}
	pub, err := svc.GetPublicKey(ctx, id)
	if err != nil || !bytes.Equal(pub.PublicKey, lk.spki) {
		t.Fatalf("GetPublicKey is not the local public key (err %v)", err)
	}
	alg := signingAlgs[spec]
	r, err := svc.Sign(ctx, id, kms.SignInput{Message: msg, Algorithm: alg})
	if err != nil {
		t.Fatal(err)
	}
	if !localVerify(spec, lk, msg, r.Signature) {
		t.Fatalf("Trent's %s signature does not verify with the local public key", alg)
	}
	if _, err := svc.Verify(ctx, id, kms.SignInput{Message: msg, Algorithm: alg}, localSign(t, spec, lk, msg)); err != nil {
		t.Fatalf("a local signature does not verify with Trent's Verify: %v", err)
	}
}

var signingAlgs = map[string]string{
	"RSA_2048": "RSASSA_PKCS1_V1_5_SHA_256", "RSA_3072": "RSASSA_PKCS1_V1_5_SHA_256", "RSA_4096": "RSASSA_PKCS1_V1_5_SHA_256",
	"ECC_NIST_P256": "ECDSA_SHA_256", "ECC_NIST_P384": "ECDSA_SHA_384", "ECC_NIST_P521": "ECDSA_SHA_512",
	"ECC_SECG_P256K1": "ECDSA_SHA_256", "ECC_NIST_EDWARDS25519": "ED25519_SHA_512",
}

// hashFor is the hash of a signing algorithm's or HMAC spec's name.
func hashFor(name string) func() hash.Hash {
	switch {
	case strings.HasSuffix(name, "224"):
		return sha256.New224
	case strings.HasSuffix(name, "384"):
		return sha512.New384
	case strings.HasSuffix(name, "512"):
		return sha512.New
	}
	return sha256.New
}

func digest(spec string, msg []byte) []byte {
	h := hashFor(signingAlgs[spec])()
	h.Write(msg)
	return h.Sum(nil)
}

func localSign(t *testing.T, spec string, lk localKey, msg []byte) []byte {
	t.Helper()
	d := digest(spec, msg)
	var sig []byte
	var err error
	switch k := lk.signer.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(nil, k, crypto.SHA256, d)
	case *ecdsa.PrivateKey:
		sig, err = ecdsa.SignASN1(rand.Reader, k, d)
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, msg)
	case nil:
		sig = secpecdsa.Sign(lk.k1, d).Serialize()
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func localVerify(spec string, lk localKey, msg, sig []byte) bool {
	d := digest(spec, msg)
	switch k := lk.signer.(type) {
	case *rsa.PrivateKey:
		return rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, d, sig) == nil
	case *ecdsa.PrivateKey:
		return ecdsa.VerifyASN1(&k.PublicKey, d, sig)
	case ed25519.PrivateKey:
		return ed25519.Verify(k.Public().(ed25519.PublicKey), msg, sig)
	}
	s, err := secpecdsa.ParseDERSignature(sig)
	return err == nil && s.Verify(d, lk.k1.PubKey())
}
