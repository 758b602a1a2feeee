package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/keycrypto"
	"github.com/trent-kms/trent/internal/store"
)

// RSA keys of usage ENCRYPT_DECRYPT encrypt with RSAES-OAEP (SHA-1 or
// SHA-256). Their ciphertext is the raw OAEP output with no header, so
// Decrypt needs KeyId and EncryptionAlgorithm to know the key
// (asymmetric.md §6), and a ciphertext made offline with GetPublicKey's
// key decrypts like one made here.

// checkAsymmetricContext refuses an encryption context for a key other
// than a symmetric one: AWS does not support one there (asymmetric.md §6,
// error UNDOCUMENTED) and ignoring it silently would mislead the caller
// into thinking it is bound to the ciphertext.
func checkAsymmetricContext(k *store.Key, ec map[string]string) error {
	if k.KeySpec != SpecSymmetricDefault && len(ec) > 0 {
		return newError(ErrValidation, "EncryptionContext is not supported for asymmetric KMS keys.")
	}
	return nil
}

// encryptUnder encrypts plaintext under k with alg: a symmetric blob for
// SYMMETRIC_DEFAULT keys, RSAES-OAEP with the public key for RSA keys.
func (s *Service) encryptUnder(ctx context.Context, op string, k *store.Key, alg string, plaintext []byte, ec map[string]string) (CryptoResult, error) {
	if k.KeySpec == SpecSymmetricDefault {
		return s.seal(ctx, op, k, plaintext, ec)
	}
	pub, err := s.publicKey(k)
	if err != nil {
		return CryptoResult{}, fromKeycrypto(err)
	}
	blob, err := keycrypto.Encrypt(k.KeySpec, alg, pub, plaintext)
	if err != nil {
		return CryptoResult{}, fromKeycrypto(err)
	}
	return CryptoResult{KeyARN: s.KeyARN(k.ID), Algorithm: alg, Blob: blob}, nil
}

// decryptAsymmetric decrypts an RSAES-OAEP ciphertext with the key ref
// names. Every failure of the ciphertext itself (wrong key, algorithm or
// bytes) is InvalidCiphertextException with no message. The result has
// no MaterialID: KeyMaterialId is for symmetric keys only.
func (s *Service) decryptAsymmetric(ctx context.Context, ref string, blob []byte, ec map[string]string, opt CryptoOptions) (CryptoResult, error) {
	k, err := s.usableKey(ctx, decryptAction(ctx), ref, ec, opt)
	if err != nil {
		return CryptoResult{}, err
	}
	traceKeyARN(ctx, s.KeyARN(k.ID))
	if opt.DryRun {
		return CryptoResult{}, errDryRun
	}
	priv, err := s.privateMaterial(k)
	if err != nil {
		return CryptoResult{}, err
	}
	pt, err := keycrypto.Decrypt(k.KeySpec, opt.Algorithm, priv, blob)
	if err != nil {
		return CryptoResult{}, fromKeycrypto(err)
	}
	return CryptoResult{KeyARN: s.KeyARN(k.ID), Algorithm: opt.Algorithm, Plaintext: pt}, nil
}

// DataKeyPairResult is what GenerateDataKeyPair returns. PrivateKey (PKCS#8
// DER) is set only when the plaintext was asked for; the caller clears it.
type DataKeyPairResult struct {
	CryptoResult        // Blob is the private key encrypted under the KMS key
	PublicKey    []byte // DER SubjectPublicKeyInfo
	PrivateKey   []byte
}

// GenerateDataKeyPair makes a key pair of keyPairSpec and returns its
// public key and its private key encrypted under the symmetric encryption
// key ref names (an ordinary blob that Decrypt opens), and the private
// key in plaintext too if withPlaintext. The KMS key's rules are
// GenerateDataKey's; the pair's spec is checked first, as request shape.
func (s *Service) GenerateDataKeyPair(ctx context.Context, ref, keyPairSpec string, ec map[string]string, withPlaintext bool, opt CryptoOptions) (DataKeyPairResult, error) {
	if err := checkContext(ec); err != nil {
		return DataKeyPairResult{}, err
	}
	if err := checkDataKeyPairSpec(keyPairSpec); err != nil {
		return DataKeyPairResult{}, err
	}
	op := "GenerateDataKeyPair"
	if !withPlaintext {
		op = "GenerateDataKeyPairWithoutPlaintext"
	}
	k, err := s.usableKey(ctx, op, ref, ec, opt)
	if err != nil {
		return DataKeyPairResult{}, err
	}
	if opt.DryRun {
		return DataKeyPairResult{}, errDryRun
	}
	priv, pub, err := keycrypto.GenerateDataKeyPair(keyPairSpec)
	if err != nil {
		return DataKeyPairResult{}, fromKeycrypto(err)
	}
	res, err := s.seal(ctx, op, k, priv, ec)
	if err != nil || !withPlaintext {
		clear(priv)
		return DataKeyPairResult{CryptoResult: res, PublicKey: pub}, err
	}
	return DataKeyPairResult{CryptoResult: res, PublicKey: pub, PrivateKey: priv}, nil
}

// checkDataKeyPairSpec refuses SM2 as AWS does outside China; the other
// values are the wire enum's.
func checkDataKeyPairSpec(spec string) error {
	if spec == "SM2" {
		return newError(ErrUnsupported, "KeySpec SM2 is not supported in this Region")
	}
	return nil
}

// SharedSecretResult is what DeriveSharedSecret returns; the caller clears
// Secret.
type SharedSecretResult struct {
	KeyARN    string
	Algorithm string
	Origin    string
	Secret    []byte
}

// DeriveSharedSecret computes the raw ECDH secret of the KEY_AGREEMENT
// key ref names and the peer's public key (DER SubjectPublicKeyInfo on the
// same curve; anything else is ValidationException with no message).
func (s *Service) DeriveSharedSecret(ctx context.Context, ref, alg string, peer []byte, dryRun bool) (SharedSecretResult, error) {
	const op = "DeriveSharedSecret"
	k, err := s.keyForUse(ctx, op, ref, UsageKeyAgreement, authReq{action: op, extra: map[string]string{
		"kms:KeyAgreementAlgorithm": alg,
	}})
	if err != nil {
		return SharedSecretResult{}, err
	}
	if err := checkAlgorithm(k, alg, AlgorithmsOf(k.KeySpec, k.KeyUsage).KeyAgreement); err != nil {
		return SharedSecretResult{}, err
	}
	if dryRun {
		return SharedSecretResult{}, errDryRun
	}
	priv, err := s.privateMaterial(k)
	if err != nil {
		return SharedSecretResult{}, err
	}
	secret, err := keycrypto.DeriveSharedSecret(k.KeySpec, priv, peer)
	if err != nil {
		return SharedSecretResult{}, fromKeycrypto(err)
	}
	return SharedSecretResult{KeyARN: s.KeyARN(k.ID), Algorithm: alg, Origin: k.Origin, Secret: secret}, nil
}
