package kms

import (
	"context"
	"strings"

	"github.com/trent-kms/trent/internal/ciphertext"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/xksclient"
)

// Double encryption, as AWS KMS does for keys in an external key store:
// the data is encrypted under the key's Trent material first (a version 1
// blob), then that blob is encrypted by the external key through the
// proxy, with ciphertext.XKSAAD binding the key, its material, its ARN and
// the encryption context. The result is a version 2 blob. Decrypt reverses
// the layers. Neither layer alone reveals the data: the external key
// manager never sees the plaintext, and Trent cannot decrypt without the
// external key.

// xksOp names the KMS operation for the proxy's kmsOperation.
func xksOp(op string) string {
	if op == "ReEncryptFrom" || op == "ReEncryptTo" {
		return "ReEncrypt"
	}
	return op
}

// checkXKSOp refuses operations AWS does not offer for keys in a custom
// key store: data key pairs are not encrypted under them.
func (s *Service) checkXKSOp(k *store.Key, op string) error {
	if k.CustomKeyStoreID != "" && strings.HasPrefix(op, "GenerateDataKeyPair") {
		return newError(ErrUnsupported, "%s is in a custom key store; %s does not support KMS keys in custom key stores.", s.KeyARN(k.ID), op)
	}
	return nil
}

// xksWrap encrypts inner, a version 1 blob of key k, through the proxy and
// returns the version 2 blob.
func (s *Service) xksWrap(ctx context.Context, op string, k *store.Key, inner []byte, ec map[string]string) ([]byte, error) {
	h, err := ciphertext.ParseHeader(inner)
	if err != nil {
		return nil, err
	}
	p, err := s.connectedProxy(ctx, k)
	if err != nil {
		return nil, err
	}
	arn := s.KeyARN(k.ID)
	aad := ciphertext.XKSAAD(h.KeyID, h.MaterialID, arn, ec)
	sealed, err := s.cfg.XKS.Encrypt(ctx, p, k.XksKeyID, requestMetadata(ctx, arn, xksOp(op)), inner, aad)
	if err != nil {
		return nil, s.cryptoError(k, err)
	}
	x := &ciphertext.XKS{KeyID: h.KeyID, MaterialID: h.MaterialID, IV: sealed.IV, Metadata: sealed.CiphertextMetadata,
		Tag: sealed.Tag, Ciphertext: sealed.Ciphertext}
	return x.Marshal() // the client checked every length Marshal checks
}

// openBlob authenticates and decrypts blob of key k with material: a
// version 1 blob for an ordinary key, a version 2 blob for a key in an
// external key store (a blob of the other version is refused, so neither
// layer can be skipped).
func (s *Service) openBlob(ctx context.Context, k *store.Key, material, blob []byte, ec map[string]string) ([]byte, error) {
	if (k.CustomKeyStoreID != "") != ciphertext.IsXKS(blob) {
		return nil, errInvalidCiphertext
	}
	if k.CustomKeyStoreID == "" {
		pt, err := ciphertext.Open(material, blob, ec)
		if err != nil {
			return nil, errInvalidCiphertext
		}
		return pt, nil
	}
	x, err := ciphertext.ParseXKS(blob)
	if err != nil {
		return nil, errInvalidCiphertext
	}
	p, err := s.connectedProxy(ctx, k)
	if err != nil {
		return nil, err
	}
	arn := s.KeyARN(k.ID)
	aad := ciphertext.XKSAAD(x.KeyID, x.MaterialID, arn, ec)
	inner, err := s.cfg.XKS.Decrypt(ctx, p, k.XksKeyID, requestMetadata(ctx, arn, xksOp(decryptAction(ctx))),
		&xksclient.Sealed{Ciphertext: x.Ciphertext, IV: x.IV, Tag: x.Tag, CiphertextMetadata: x.Metadata}, aad)
	if err != nil {
		return nil, s.cryptoError(k, err)
	}
	defer clear(inner)
	// The proxy authenticated the outer layer, so an inner blob that does
	// not open, or names another key, is the proxy's fault.
	h, err := ciphertext.ParseHeader(inner)
	if err != nil || h.KeyID != x.KeyID || h.MaterialID != x.MaterialID {
		return nil, &Error{Kind: ErrInvalidState, Message: msgBadPlaintext}
	}
	pt, err := ciphertext.Open(material, inner, ec)
	if err != nil {
		return nil, &Error{Kind: ErrInvalidState, Message: msgBadPlaintext}
	}
	return pt, nil
}
