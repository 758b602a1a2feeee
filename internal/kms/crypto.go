package kms

import (
	"context"
	"encoding/hex"
	"errors"
	"io"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/ciphertext"
	"github.com/trent-kms/trent/internal/store"
)

// AlgSymmetricDefault is the one encryption algorithm of symmetric keys.
const AlgSymmetricDefault = "SYMMETRIC_DEFAULT"

// CryptoResult is what the encrypting and decrypting operations return.
// Plaintext is owned by the caller, who should clear it after use.
type CryptoResult struct {
	KeyARN     string
	Algorithm  string // the encryption algorithm used
	MaterialID string // 64 hex
	Blob       []byte // ciphertext blob, when one was produced
	Plaintext  []byte // when one is returned
}

// Options common to the crypto operations.
type CryptoOptions struct {
	Algorithm string // "" or SYMMETRIC_DEFAULT
	DryRun    bool
}

// usableKey resolves ref for a cryptographic operation: the key must be an
// encryption key in state Enabled whose spec offers the algorithm ("" is
// SYMMETRIC_DEFAULT, which RSA keys do not offer).
func (s *Service) usableKey(ctx context.Context, op, ref string, ec map[string]string, opt CryptoOptions) (*store.Key, error) {
	action := op
	if op == "ReEncrypt" {
		action = "ReEncryptTo"
	}
	k, err := s.resolveFor(ctx, ref, aliasAllow, authReq{action: action, ec: ec, crypto: true, alg: opt.Algorithm})
	if err != nil {
		return nil, err
	}
	if state := s.State(k); state != StateEnabled {
		return nil, stateError(s.KeyARN(k.ID), state)
	}
	if k.KeyUsage != UsageEncryptDecrypt {
		return nil, s.usageError(k, op)
	}
	if err := s.checkXKSOp(k, op); err != nil {
		return nil, err
	}
	alg := opt.Algorithm
	if alg == "" {
		alg = AlgSymmetricDefault
	}
	if err := checkAlgorithm(k, alg, AlgorithmsOf(k.KeySpec, k.KeyUsage).Encryption); err != nil {
		return nil, err
	}
	return k, checkAsymmetricContext(k, ec)
}

var errDryRun = newError(ErrDryRun, "The request would have succeeded, but the DryRun option is set.")

// Encrypt encrypts up to 4096 bytes under the current material of the key
// ref names, binding the encryption context ec.
func (s *Service) Encrypt(ctx context.Context, ref string, plaintext []byte, ec map[string]string, opt CryptoOptions) (CryptoResult, error) {
	if err := checkContext(ec); err != nil {
		return CryptoResult{}, err
	}
	k, err := s.usableKey(ctx, "Encrypt", ref, ec, opt)
	if err != nil {
		return CryptoResult{}, err
	}
	if opt.DryRun {
		return CryptoResult{}, errDryRun
	}
	return s.encryptUnder(ctx, "Encrypt", k, opt.Algorithm, plaintext, ec)
}

// seal encrypts plaintext under k's current material; for a key in an
// external key store, then through its proxy (xks_crypto.go). op names
// the KMS operation for the proxy.
func (s *Service) seal(ctx context.Context, op string, k *store.Key, plaintext []byte, ec map[string]string) (CryptoResult, error) {
	m := CurrentMaterial(k)
	if m == nil {
		return CryptoResult{}, stateError(s.KeyARN(k.ID), StatePendingImport)
	}
	material, err := s.unsealed(k, m)
	if err != nil {
		return CryptoResult{}, err
	}
	keyID, err := uuid.Parse(k.ID)
	if err != nil {
		return CryptoResult{}, err
	}
	var matID [ciphertext.MaterialIDSize]byte
	if _, err := hex.Decode(matID[:], []byte(m.ID)); err != nil {
		return CryptoResult{}, err
	}
	blob, err := ciphertext.Seal(s.cfg.Rand, material, keyID, matID, plaintext, ec)
	if err == nil && k.CustomKeyStoreID != "" {
		blob, err = s.xksWrap(ctx, op, k, blob, ec)
	}
	if err != nil {
		return CryptoResult{}, err
	}
	return CryptoResult{KeyARN: s.KeyARN(k.ID), Algorithm: AlgSymmetricDefault, MaterialID: m.ID, Blob: blob}, nil
}

// Decrypt decrypts a blob made by Encrypt or GenerateDataKey. ref is
// optional; if given it must name the key the blob was made with, else
// IncorrectKeyException. Any blob that does not authenticate with the given
// context gets InvalidCiphertextException and no further detail.
func (s *Service) Decrypt(ctx context.Context, ref string, blob []byte, ec map[string]string, opt CryptoOptions) (CryptoResult, error) {
	if ref != "" && opt.Algorithm != "" && opt.Algorithm != AlgSymmetricDefault {
		return s.decryptAsymmetric(ctx, ref, blob, ec, opt)
	}
	hKeyID, hMaterialID, err := ciphertext.KeyOf(blob)
	if err != nil {
		return CryptoResult{}, errInvalidCiphertext
	}
	blobKeyID := uuid.UUID(hKeyID).String()
	traceKeyARN(ctx, s.KeyARN(blobKeyID))
	if ref != "" {
		want, err := s.resolve(ctx, ref, aliasAllow)
		if err != nil {
			return CryptoResult{}, err
		}
		if want.ID != blobKeyID {
			return CryptoResult{}, newError(ErrIncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation.")
		}
	}
	k, err := s.usableKey(ctx, decryptAction(ctx), blobKeyID, ec, opt)
	var e *Error
	if errors.As(err, &e) && e.Kind == ErrNotFound {
		return CryptoResult{}, newError(ErrAccessDenied, "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.")
	}
	if err != nil {
		return CryptoResult{}, err
	}
	if opt.DryRun {
		return CryptoResult{}, errDryRun
	}
	matID := hex.EncodeToString(hMaterialID[:])
	k, m, err := s.decryptMaterial(ctx, k, matID)
	if err != nil {
		return CryptoResult{}, err
	}
	if m == nil {
		return CryptoResult{}, errInvalidCiphertext
	}
	material, err := s.unsealed(k, m)
	if err != nil {
		return CryptoResult{}, err
	}
	pt, err := s.openBlob(ctx, k, material, blob, ec)
	if err != nil {
		return CryptoResult{}, err
	}
	return CryptoResult{KeyARN: s.KeyARN(k.ID), Algorithm: AlgSymmetricDefault, MaterialID: m.ID, Plaintext: pt}, nil
}

// ReEncrypt decrypts blob (source key optional, as in Decrypt) and encrypts
// the plaintext under the destination key, without returning it. The
// result's KeyARN and MaterialID are the destination's; src holds the
// source's.
func (s *Service) ReEncrypt(ctx context.Context, srcRef string, blob []byte, srcEC map[string]string, dstRef string, dstEC map[string]string, srcOpt, dstOpt CryptoOptions) (src, dst CryptoResult, err error) {
	if err := checkContext(dstEC); err != nil {
		return src, dst, err
	}
	dryRun := srcOpt.DryRun
	srcOpt.DryRun, dstOpt.DryRun = false, false
	src, err = s.Decrypt(withAction(ctx, "ReEncryptFrom"), srcRef, blob, srcEC, srcOpt)
	if err != nil {
		return src, dst, err
	}
	defer clear(src.Plaintext)
	k, err := s.usableKey(ctx, "ReEncrypt", dstRef, dstEC, dstOpt)
	if err != nil {
		return src, dst, err
	}
	if dryRun {
		return src, dst, errDryRun
	}
	dst, err = s.encryptUnder(ctx, "ReEncrypt", k, dstOpt.Algorithm, src.Plaintext, dstEC)
	src.Plaintext = nil
	return src, dst, err
}

// GenerateDataKey returns a fresh random data key of n bytes encrypted under
// the key ref names, and in plaintext too if withPlaintext.
func (s *Service) GenerateDataKey(ctx context.Context, ref string, n int, ec map[string]string, withPlaintext bool, opt CryptoOptions) (CryptoResult, error) {
	if err := checkContext(ec); err != nil {
		return CryptoResult{}, err
	}
	op := "GenerateDataKey"
	if !withPlaintext {
		op = "GenerateDataKeyWithoutPlaintext"
	}
	k, err := s.usableKey(ctx, op, ref, ec, opt)
	if err != nil {
		return CryptoResult{}, err
	}
	if opt.DryRun {
		return CryptoResult{}, errDryRun
	}
	dataKey := make([]byte, n)
	if _, err := io.ReadFull(s.cfg.Rand, dataKey); err != nil {
		return CryptoResult{}, err
	}
	res, err := s.seal(ctx, op, k, dataKey, ec)
	if err != nil || !withPlaintext {
		clear(dataKey)
		return res, err
	}
	res.Plaintext = dataKey
	return res, nil
}

// GenerateRandom returns n random bytes from the service's random source.
func (s *Service) GenerateRandom(ctx context.Context, n int) ([]byte, error) {
	if err := s.authorize(ctx, authReq{action: "GenerateRandom"}); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	_, err := io.ReadFull(s.cfg.Rand, b)
	return b, err
}

// checkContext bounds the size of an encryption context (AWS documents no
// limit; see ciphertext.MaxContextSize).
func checkContext(ec map[string]string) error {
	if ciphertext.ContextSize(ec) > ciphertext.MaxContextSize {
		return newError(ErrValidation, "Encryption context must not exceed %d bytes when encoded", ciphertext.MaxContextSize)
	}
	return nil
}

type actionKey struct{}

// withAction makes Decrypt authorise as another action (ReEncryptFrom).
func withAction(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, actionKey{}, action)
}

func decryptAction(ctx context.Context) string {
	if a, ok := ctx.Value(actionKey{}).(string); ok {
		return a
	}
	return "Decrypt"
}

// orEmpty makes a nil encryption context an empty one, so that conditions
// on kms:EncryptionContextKeys see "no keys" rather than "no context".
func orEmpty(ec map[string]string) map[string]string {
	if ec == nil {
		return map[string]string{}
	}
	return ec
}
