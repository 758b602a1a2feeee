package byokflow

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// chooseAlgorithmFor is chooseAlgorithm for the material of an RSA, EC or
// HMAC key (spec): the algorithms KMS accepts for it (RSA_AES_KEY_WRAP_*
// for private keys, RSAES_OAEP_* for HMAC keys, SHA-256 first) that the
// token performs on this very key, tried by wrapping it under the probe
// public key, whose private half was never kept.
func (s *session) chooseAlgorithmFor(spec types.KeySpec, key pkcs11.Handle, forced, wrapSpec string) (algChoice, string, error) {
	var candidates []string
	for _, alg := range pkcs11.Algorithms {
		if byok.CheckCombination(string(spec), alg, wrapSpec, false) == nil {
			candidates = append(candidates, alg)
		}
	}
	if forced != "" {
		if !slices.Contains(candidates, forced) {
			return algChoice{}, "", usagef("--algorithm %s: KMS takes %s key material only with %s", forced, spec, strings.Join(candidates, ", "))
		}
		candidates = []string{forced}
	}
	pub, err := pkcs11.ParsePublicKey([]byte(probePublicKey))
	if err != nil {
		panic(err)
	}
	s.quiet = true // the token layer's notes about probe wraps are noise
	defer func() { s.quiet = false }()
	ph, err := s.tok.ImportRSAPublicKey(pub, pkcs11.PublicKeyOptions{Label: "trent byok probe", Wrap: true, Encrypt: true})
	if err != nil {
		return algChoice{}, "", err
	}
	defer func() { _ = s.tok.DestroyObject(ph) }()
	var ok, why []string
	for _, alg := range candidates {
		if _, err := s.tok.Wrap(key, ph, alg); err != nil {
			why = append(why, alg+": "+refusal(err, false))
			continue
		}
		ok = append(ok, alg)
	}
	if len(ok) == 0 {
		return algChoice{}, "", fmt.Errorf("token %q cannot wrap this %s key with any algorithm KMS accepts for it: %s", s.tok.Info().Label, spec, strings.Join(why, "; "))
	}
	return algChoice{alg: ok[0], fallbacks: ok[1:]}, fmt.Sprintf("%s with an %s wrapping key, for %s key material", ok[0], wrapSpec, spec), nil
}

// proveMessage is what the proof signs or MACs in KMS and checks with
// the HSM.
var proveMessage = []byte("trent byok import: proof that KMS holds the HSM's key")

// proveOther shows that KMS holds the HSM's RSA, EC or HMAC key, which KMS
// does not let import twice (no EXISTING_KEY_MATERIAL for these keys):
// for a key pair, KMS's GetPublicKey must be the public key in the token
// and a signature KMS makes must verify with it; for an HMAC key, KMS's
// GenerateMac must equal the token's C_Sign with the same HMAC.
func (im *Import) proveOther(ctx context.Context) (string, error) {
	c, k := im.conn.c, im.key
	if keyUsage(k.KeySpec) == types.KeyUsageTypeGenerateVerifyMac {
		alg := "HMAC_SHA_" + strings.TrimPrefix(k.KeySpec, "HMAC_")
		out, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: aws.String(im.arn), Message: proveMessage, MacAlgorithm: types.MacAlgorithmSpec(alg)})
		if err != nil {
			return "", kmsError("GenerateMac", err)
		}
		want, err := im.s.tok.SignHMAC(k.Handle, alg, proveMessage)
		if err != nil {
			return "", fmt.Errorf("computing the %s in the token: %w", alg, err)
		}
		if !hmac.Equal(out.Mac, want) {
			return "", fmt.Errorf("KMS's %s differs from the HSM's, so the material KMS holds is NOT the HSM's key; schedule the key's deletion and run again", alg)
		}
		return fmt.Sprintf("KMS's GenerateMac (%s) equals the HSM's", alg), nil
	}
	der, err := im.s.tok.PublicKeyDER(k.pub)
	if err != nil {
		return "", err
	}
	gp, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(im.arn)})
	if err != nil {
		return "", kmsError("GetPublicKey", err)
	}
	if !bytes.Equal(gp.PublicKey, der) {
		return "", fmt.Errorf("KMS's public key of %s is not the HSM's, so the material KMS holds is NOT the HSM's key; schedule the key's deletion and run again", im.arn)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil { // secp256k1: Go does not verify it; the public keys agree
		return "KMS's public key is the HSM's", nil
	}
	alg, h := types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, crypto.SHA256
	if ek, ok := pub.(*ecdsa.PublicKey); ok {
		switch ek.Curve.Params().BitSize {
		case 256:
			alg = types.SigningAlgorithmSpecEcdsaSha256
		case 384:
			alg, h = types.SigningAlgorithmSpecEcdsaSha384, crypto.SHA384
		default:
			alg, h = types.SigningAlgorithmSpecEcdsaSha512, crypto.SHA512
		}
	}
	out, err := c.Sign(ctx, &kms.SignInput{KeyId: aws.String(im.arn), Message: proveMessage, MessageType: types.MessageTypeRaw, SigningAlgorithm: alg})
	if err != nil {
		return "", kmsError("Sign", err)
	}
	if !verifies(pub, h, proveMessage, out.Signature) {
		return "", fmt.Errorf("KMS's %s signature does not verify with the HSM's public key, so the material KMS holds is NOT the HSM's key; schedule the key's deletion and run again", alg)
	}
	return fmt.Sprintf("KMS's public key is the HSM's, and KMS's %s signature verifies with it", alg), nil
}

// verifies checks an RSASSA-PKCS1-v1_5 or ECDSA (ASN.1) signature.
func verifies(pub any, h crypto.Hash, msg, sig []byte) bool {
	var d []byte
	switch h {
	case crypto.SHA384:
		s := sha512.Sum384(msg)
		d = s[:]
	case crypto.SHA512:
		s := sha512.Sum512(msg)
		d = s[:]
	default:
		s := sha256.Sum256(msg)
		d = s[:]
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, h, d, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, d, sig)
	}
	return false
}
