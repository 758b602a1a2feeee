package e2e

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"hash"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/mldsa"
	mldsax509 "filippo.io/mldsa/x509"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// Checks of Trent's signatures outside Trent: Go's crypto (with the two
// modules keycrypto uses for secp256k1 and ML-DSA) and openssl 3.0, which
// has no ML-DSA and no Ed25519ph.

func algHash(alg types.SigningAlgorithmSpec) (crypto.Hash, func() hash.Hash) {
	switch {
	case strings.HasSuffix(string(alg), "384"):
		return crypto.SHA384, sha512.New384
	case strings.HasSuffix(string(alg), "512"):
		return crypto.SHA512, sha512.New
	}
	return crypto.SHA256, sha256.New
}

// goVerify checks a RAW-message signature with Go's crypto (and the two
// modules for secp256k1 and ML-DSA) from the SPKI GetPublicKey returned.
func goVerify(t *testing.T, spki []byte, alg types.SigningAlgorithmSpec, msg, sig []byte) bool {
	t.Helper()
	h, newHash := algHash(alg)
	d := newHash()
	d.Write(msg)
	digest := d.Sum(nil)
	switch {
	case alg == "ML_DSA_SHAKE_256":
		pub, err := mldsax509.ParsePKIXPublicKey(spki)
		if err != nil {
			t.Fatal(err)
		}
		return mldsa.Verify(pub.(*mldsa.PublicKey), msg, sig, nil) == nil
	case alg == "ED25519_PH_SHA_512": // the message is the caller's SHA-512 digest, hashed again
		pre := sha512.Sum512(msg)
		pub := parseSPKI(t, spki).(ed25519.PublicKey)
		return ed25519.VerifyWithOptions(pub, pre[:], sig, &ed25519.Options{Hash: crypto.SHA512}) == nil
	case alg == "ED25519_SHA_512":
		return ed25519.Verify(parseSPKI(t, spki).(ed25519.PublicKey), msg, sig)
	case strings.HasPrefix(string(alg), "RSASSA_PSS"):
		return rsa.VerifyPSS(parseSPKI(t, spki).(*rsa.PublicKey), h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case strings.HasPrefix(string(alg), "RSASSA_PKCS1"):
		return rsa.VerifyPKCS1v15(parseSPKI(t, spki).(*rsa.PublicKey), h, digest, sig) == nil
	}
	if pub, err := x509.ParsePKIXPublicKey(spki); err == nil {
		return ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), digest, sig)
	}
	// secp256k1: x509 does not know the curve; the point is the SPKI's tail.
	pub, err := secp256k1.ParsePubKey(spki[len(spki)-65:])
	if err != nil {
		t.Fatal(err)
	}
	s, err := secpecdsa.ParseDERSignature(sig)
	return err == nil && s.Verify(digest, pub)
}

func parseSPKI(t *testing.T, spki []byte) any {
	t.Helper()
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// opensslVerify checks a RAW-message signature with openssl 3.0 from the
// SPKI in PEM; ok is false when openssl 3.0 cannot check the algorithm
// (ML-DSA, Ed25519ph).
func opensslVerify(t *testing.T, spki []byte, alg types.SigningAlgorithmSpec, msg, sig []byte) (valid, ok bool) {
	t.Helper()
	if alg == "ML_DSA_SHAKE_256" || alg == "ED25519_PH_SHA_512" {
		return false, false
	}
	dir := t.TempDir()
	for name, b := range map[string][]byte{
		"pub.pem": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}), "in.bin": msg, "sig.bin": sig,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var args []string
	if alg == "ED25519_SHA_512" {
		args = []string{"pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "in.bin", "-sigfile", "sig.bin"}
	} else {
		h, _ := algHash(alg)
		args = []string{"dgst", "-" + strings.ToLower(strings.ReplaceAll(h.String(), "-", "")), "-verify", "pub.pem", "-signature", "sig.bin"}
		if strings.HasPrefix(string(alg), "RSASSA_PSS") {
			args = append(args, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest")
		}
		args = append(args, "in.bin")
	}
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	return cmd.Run() == nil, true
}

// digestable reports whether alg takes the DIGEST of a RAW message.
func digestable(alg types.SigningAlgorithmSpec) bool {
	return strings.HasPrefix(string(alg), "RSASSA") || strings.HasPrefix(string(alg), "ECDSA")
}
