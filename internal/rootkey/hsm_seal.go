// Sealing and unsealing with the HSM root key: AES-256-GCM in the token.

package rootkey

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// Seal implements RootKey: AES-256-GCM in the token, the context as AAD.
func (h *HSM) Seal(plaintext []byte, context string) ([]byte, error) {
	iv := make([]byte, gcmIVSize)
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	used, ct, err := h.pool.EncryptAESGCM(h.key, iv, []byte(context), plaintext)
	if err != nil {
		return nil, h.closedOr(err)
	}
	out := make([]byte, 0, 1+gcmIVSize+len(ct))
	return append(append(append(out, hsmVersion), used...), ct...), nil
}

// Unseal implements RootKey: from the cache, or decrypted in the token.
func (h *HSM) Unseal(sealed []byte, context string) ([]byte, error) {
	if !wellFormedHSM(sealed) {
		return nil, ErrUnseal
	}
	k := cacheKey(sealed, context)
	if pt := h.cache.get(k); pt != nil {
		return pt, nil
	}
	pt, err := h.unsealUncached(sealed, context)
	if err != nil {
		return nil, err
	}
	h.cache.put(k, pt)
	return pt, nil
}

func wellFormedHSM(sealed []byte) bool {
	return len(sealed) >= 1+gcmIVSize+gcmTagSize && sealed[0] == hsmVersion
}

// unsealUncached decrypts in the token, whatever the cache holds.
func (h *HSM) unsealUncached(sealed []byte, context string) ([]byte, error) {
	if !wellFormedHSM(sealed) {
		return nil, ErrUnseal
	}
	pt, err := h.pool.DecryptAESGCM(h.key, sealed[1:1+gcmIVSize], []byte(context), sealed[1+gcmIVSize:])
	if errors.Is(err, pkcs11.ErrDecryptFailed) {
		return nil, ErrUnseal
	}
	if err != nil {
		return nil, h.closedOr(err)
	}
	return pt, nil
}

// closedOr names the HSM in the pool's errors.
func (h *HSM) closedOr(err error) error {
	if errors.Is(err, pkcs11.ErrPoolClosed) {
		return errors.New("rootkey: the HSM root key is closed")
	}
	return fmt.Errorf("rootkey: HSM: %w", err)
}
