package keycrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// messageTypes lists the message types AWS allows for an algorithm.
func messageTypes(a *sigAlg) []string {
	switch a.family {
	case famEd25519:
		return []string{MessageRaw}
	case famEd25519ph:
		return []string{MessageDigest}
	case famMLDSA:
		return []string{MessageRaw, MessageExternalMu}
	}
	return []string{MessageRaw, MessageDigest}
}

// signInput is what a client sends for message m with message type mt.
func signInput(a *sigAlg, mt string, pub, m []byte) []byte {
	switch mt {
	case MessageDigest:
		h := a.hash.New()
		h.Write(m)
		return h.Sum(nil)
	case MessageExternalMu:
		return externalMu(mldsaRaw(pub), m)
	}
	return m
}

// mldsaRaw returns the raw ML-DSA public key inside an SPKI: the 22-byte
// prefix that `openssl asn1parse -strparse 17` skips (asymmetric.md §4).
func mldsaRaw(spki []byte) []byte {
	var info subjectPublicKeyInfo
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		panic(err)
	}
	return info.PublicKey.RightAlign()
}

// goVerify checks sig over the original message m with an implementation
// other than the package's code path: the standard library, circl for
// ML-DSA, decred for secp256k1 (independently checked by openssl too).
func goVerify(spec string, a *sigAlg, spki, m, sig []byte) error {
	if specs[spec].kind == kindMLDSA {
		raw := mldsaRaw(spki)
		var ok bool
		switch spec {
		case "ML_DSA_44":
			var pk mldsa44.PublicKey
			ok = pk.UnmarshalBinary(raw) == nil && mldsa44.Verify(&pk, m, nil, sig)
		case "ML_DSA_65":
			var pk mldsa65.PublicKey
			ok = pk.UnmarshalBinary(raw) == nil && mldsa65.Verify(&pk, m, nil, sig)
		case "ML_DSA_87":
			var pk mldsa87.PublicKey
			ok = pk.UnmarshalBinary(raw) == nil && mldsa87.Verify(&pk, m, nil, sig)
		}
		if !ok {
			return fmt.Errorf("circl rejects the signature")
		}
		return nil
	}
	if spec == "ECC_SECG_P256K1" {
		pk, err := secp256k1.ParsePubKey(mldsaRaw(spki))
		if err != nil {
			return err
		}
		s, err := secpecdsa.ParseDERSignature(sig)
		if err != nil {
			return err
		}
		d := sha256Sum(m)
		if !s.Verify(d, pk) {
			return fmt.Errorf("secp256k1 signature invalid")
		}
		return nil
	}
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		return err
	}
	var digest []byte
	if a.hash != 0 {
		h := a.hash.New()
		h.Write(m)
		digest = h.Sum(nil)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if a.family == famPSS {
			return rsa.VerifyPSS(k, a.hash, digest, sig, &rsa.PSSOptions{SaltLength: a.hash.Size()})
		}
		return rsa.VerifyPKCS1v15(k, a.hash, digest, sig)
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return fmt.Errorf("ECDSA signature invalid")
		}
		return nil
	case ed25519.PublicKey:
		if a.family == famEd25519ph {
			// Ed25519ph with M = the digest: PH(M) = SHA-512(digest).
			ph := sha512.Sum512(digest)
			return ed25519.VerifyWithOptions(k, ph[:], sig, &ed25519.Options{Hash: crypto.SHA512})
		}
		if !ed25519.Verify(k, m, sig) {
			return fmt.Errorf("Ed25519 signature invalid")
		}
		return nil
	}
	return fmt.Errorf("unexpected key type %T", pub)
}

// spkiSizes and sigSizes are asymmetric.md §1 (ECDSA: upper bounds).
var (
	spkiSizes = map[string]int{"RSA_2048": 294, "RSA_3072": 422, "RSA_4096": 550, "ECC_NIST_P256": 91,
		"ECC_NIST_P384": 120, "ECC_NIST_P521": 158, "ECC_SECG_P256K1": 88, "ECC_NIST_EDWARDS25519": 44,
		"ML_DSA_44": 1334, "ML_DSA_65": 1974, "ML_DSA_87": 2614}
	sigSizes = map[string]int{"RSA_2048": 256, "RSA_3072": 384, "RSA_4096": 512, "ECC_NIST_P256": 72,
		"ECC_NIST_P384": 104, "ECC_NIST_P521": 139, "ECC_SECG_P256K1": 72, "ECC_NIST_EDWARDS25519": 64,
		"ML_DSA_44": 2420, "ML_DSA_65": 3309, "ML_DSA_87": 4627}
)

func TestSignVerifyEveryAlgorithm(t *testing.T) {
	for _, spec := range signingSpecs() {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			priv, pub := keyOf(t, spec)
			if len(pub) != spkiSizes[spec] {
				t.Errorf("SPKI is %d bytes, want %d", len(pub), spkiSizes[spec])
			}
			for _, alg := range specs[spec].signing {
				a := sigAlgs[alg]
				for _, mt := range messageTypes(a) {
					t.Run(alg+"/"+mt, func(t *testing.T) {
						m := []byte("message signed by Trent with " + alg)
						in := signInput(a, mt, pub, m)
						sig, err := Sign(spec, alg, mt, priv, in)
						if err != nil {
							t.Fatal(err)
						}
						if max := sigSizes[spec]; len(sig) > max || (a.family != famECDSA && len(sig) != max) {
							t.Errorf("signature is %d bytes, want %d", len(sig), max)
						}
						if err := Verify(spec, alg, mt, pub, in, sig); err != nil {
							t.Errorf("Verify: %v", err)
						}
						if err := goVerify(spec, a, pub, m, sig); err != nil {
							t.Errorf("independent verification: %v", err)
						}
						// The other allowed message type names the same message.
						for _, other := range messageTypes(a) {
							if err := Verify(spec, alg, other, pub, signInput(a, other, pub, m), sig); err != nil {
								t.Errorf("Verify as %s: %v", other, err)
							}
						}
						tampered := append([]byte(nil), in...)
						tampered[0] ^= 1
						wantException(t, Verify(spec, alg, mt, pub, tampered, sig), ExcInvalidSignature, "")
						bad := append([]byte(nil), sig...)
						bad[len(bad)-1] ^= 1
						wantException(t, Verify(spec, alg, mt, pub, in, bad), ExcInvalidSignature, "")
					})
				}
			}
		})
	}
}

// A signature by one algorithm does not verify as another of the same key.
func TestVerifyWrongAlgorithm(t *testing.T) {
	priv, pub := keyOf(t, "RSA_2048")
	m := []byte("m")
	sig, err := Sign("RSA_2048", "RSASSA_PSS_SHA_256", "", priv, m)
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []string{"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_384"} {
		t.Run(alg, func(t *testing.T) {
			wantException(t, Verify("RSA_2048", alg, "", pub, m, sig), ExcInvalidSignature, "")
		})
	}
	_, otherPub := keyOf(t, "ECC_NIST_P256")
	ecPriv, _ := keyOf(t, "ECC_NIST_P256")
	ecSig, err := Sign("ECC_NIST_P256", "ECDSA_SHA_256", "", ecPriv, m)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := Generate("ECC_NIST_P256")
	if err != nil {
		t.Fatal(err)
	}
	otherSPKI, _ := PublicKey("ECC_NIST_P256", otherKey)
	wantException(t, Verify("ECC_NIST_P256", "ECDSA_SHA_256", "", otherSPKI, m, ecSig), ExcInvalidSignature, "")
	if err := Verify("ECC_NIST_P256", "ECDSA_SHA_256", "", otherPub, m, ecSig); err != nil {
		t.Fatal(err)
	}
}

// RFC 8032 §7.3 test vector for Ed25519ph ("abc"), through the package's
// prehash: AWS's ED25519_PH_SHA_512 is Ed25519ph over the client's digest.
func TestEd25519phRFC8032(t *testing.T) {
	seed := mustHex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
	want := mustHex("98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41" +
		"31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406")
	key := ed25519.NewKeyFromSeed(seed)
	sig, err := key.Sign(nil, ed25519phMessage([]byte("abc")), &ed25519.Options{Hash: crypto.SHA512})
	if err != nil {
		t.Fatal(err)
	}
	if string(sig) != string(want) {
		t.Fatalf("Ed25519ph signature = %x, want RFC 8032's", sig)
	}
}
