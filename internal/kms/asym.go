package kms

import (
	"context"
	"errors"
	"io"
	"slices"

	"github.com/trent-kms/trent/internal/keycrypto"
	"github.com/trent-kms/trent/internal/store"
)

// The operations of asymmetric and HMAC keys share one check order, AWS's
// (asymmetric.md §10): request shape (the wire layer), key lookup and
// authorisation, key state, key usage ("<ARN> key usage is U which is not
// valid for Op."), then the algorithm against the key spec ("Algorithm A
// is incompatible with key spec S."), then what keycrypto checks (message
// type, digest and plaintext lengths). keyForUse does the middle three.

// generateMaterial returns fresh key material for a key of spec: 32
// random bytes for SYMMETRIC_DEFAULT, keycrypto's PKCS#8 (or raw HMAC
// bytes) for the others. The caller clears it.
func (s *Service) generateMaterial(spec string) ([]byte, error) {
	if spec == SpecSymmetricDefault {
		material := make([]byte, 32)
		if _, err := io.ReadFull(s.cfg.Rand, material); err != nil {
			return nil, err
		}
		return material, nil
	}
	return keycrypto.Generate(spec)
}

// keyForUse resolves ref for operation op (q carries the action and the
// condition keys) and checks that the key is Enabled and has usage.
func (s *Service) keyForUse(ctx context.Context, op, ref, usage string, q authReq) (*store.Key, error) {
	k, err := s.resolveFor(ctx, ref, aliasAllow, q)
	if err != nil {
		return nil, err
	}
	if state := s.State(k); state != StateEnabled {
		return nil, stateError(s.KeyARN(k.ID), state)
	}
	if k.KeyUsage != usage {
		return nil, s.usageError(k, op)
	}
	return k, nil
}

// usageError is template 1 of asymmetric.md §9.
func (s *Service) usageError(k *store.Key, op string) error {
	return newError(ErrInvalidKeyUsage, "%s key usage is %s which is not valid for %s.", s.KeyARN(k.ID), k.KeyUsage, op)
}

// checkAlgorithm applies template 2 of asymmetric.md §9: alg must be one
// of the algorithms the key's spec and usage offer (allowed, read from the
// key-type table).
func checkAlgorithm(k *store.Key, alg string, allowed []string) error {
	if !slices.Contains(allowed, alg) {
		return newError(ErrInvalidKeyUsage, "Algorithm %s is incompatible with key spec %s.", alg, k.KeySpec)
	}
	return nil
}

// privateMaterial returns the one material of an asymmetric or HMAC key
// (they never rotate). The slice is shared with the cache: read only.
func (s *Service) privateMaterial(k *store.Key) ([]byte, error) {
	m := CurrentMaterial(k)
	if m == nil {
		return nil, stateError(s.KeyARN(k.ID), StatePendingImport)
	}
	return s.unsealed(k, m)
}

// publicKey returns the SubjectPublicKeyInfo of an asymmetric key. A key
// keeps its public key beside the material (generated keys since CreateKey
// stores it; imported ones still have it once the material is deleted or
// expired: AWS's GetPublicKey answers in PendingImport); for keys created
// before, it is derived from the private key. A key that never had
// material has none: "is pending import".
func (s *Service) publicKey(k *store.Key) ([]byte, error) {
	for _, m := range k.Materials {
		if m.PublicKey != nil {
			return m.PublicKey, nil
		}
	}
	priv, err := s.privateMaterial(k)
	if err != nil {
		return nil, err
	}
	return keycrypto.PublicKey(k.KeySpec, priv)
}

// keycryptoKinds maps keycrypto's AWS exception names to the core's kinds.
var keycryptoKinds = map[string]error{
	keycrypto.ExcValidation:           ErrValidation,
	keycrypto.ExcInvalidKeyUsage:      ErrInvalidKeyUsage,
	keycrypto.ExcInvalidSignature:     ErrInvalidSignature,
	keycrypto.ExcInvalidMac:           ErrInvalidMac,
	keycrypto.ExcInvalidCiphertext:    ErrInvalidCiphertext,
	keycrypto.ExcIncorrectKeyMaterial: ErrIncorrectKeyMaterial,
	keycrypto.ExcUnsupported:          ErrUnsupported,
}

// fromKeycrypto converts a client error of keycrypto into the core's
// *Error with the same exception and message; internal errors pass as
// they are (the api layer answers them KMSInternalException).
func fromKeycrypto(err error) error {
	var e *keycrypto.Error
	if !errors.As(err, &e) {
		return err
	}
	if kind, ok := keycryptoKinds[e.Exception]; ok {
		return &Error{Kind: kind, Message: e.Message}
	}
	return err
}

// PublicKeyResult is what GetPublicKey returns.
type PublicKeyResult struct {
	Key       *store.Key
	KeyARN    string
	PublicKey []byte // DER SubjectPublicKeyInfo
}

// GetPublicKey returns the public key of an asymmetric key. It works in
// states Enabled, Disabled and PendingImport (once material was imported,
// even if since deleted or expired) and
// answers UnsupportedOperationException, with no message as AWS, for
// symmetric and HMAC keys: the state is checked first.
func (s *Service) GetPublicKey(ctx context.Context, ref string) (PublicKeyResult, error) {
	k, err := s.resolveFor(ctx, ref, aliasAllow, authReq{action: "GetPublicKey"})
	if err != nil {
		return PublicKeyResult{}, err
	}
	switch state := s.State(k); state {
	case StateEnabled, StateDisabled, StatePendingImport:
	default:
		return PublicKeyResult{}, stateError(s.KeyARN(k.ID), state)
	}
	if !asymmetric(k) {
		return PublicKeyResult{}, &Error{Kind: ErrUnsupported}
	}
	pub, err := s.publicKey(k)
	if err != nil {
		return PublicKeyResult{}, fromKeycrypto(err)
	}
	return PublicKeyResult{Key: k, KeyARN: s.KeyARN(k.ID), PublicKey: pub}, nil
}

// asymmetric reports whether k has a public key: every spec but
// SYMMETRIC_DEFAULT and the HMAC specs.
func asymmetric(k *store.Key) bool {
	return k.KeySpec != SpecSymmetricDefault && k.KeyUsage != UsageGenerateVerifyMAC
}
