//go:build cgo

// Sealing and unsealing with the HSM root key: AES-256-GCM in the token.

package rootkey

import (
	"crypto/rand"
	"fmt"

	mp "github.com/miekg/pkcs11"
)

// Seal implements RootKey: AES-256-GCM in the token, the context as AAD.
func (h *HSM) Seal(plaintext []byte, context string) ([]byte, error) {
	iv := make([]byte, gcmIVSize)
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	var out []byte
	err := h.do(func(s *session) error {
		params := mp.NewGCMParams(iv, []byte(context), 8*gcmTagSize)
		defer params.Free()
		if err := h.ctx.EncryptInit(s.h, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_GCM, params)}, s.key); err != nil {
			return tokenError("C_EncryptInit", err)
		}
		h.tokenOps.Add(1)
		ct, err := h.ctx.Encrypt(s.h, plaintext)
		if err != nil {
			return tokenError("C_Encrypt", err)
		}
		// Some HSMs choose the IV themselves and write it back.
		used := params.IV()
		if len(used) != gcmIVSize {
			return fmt.Errorf("rootkey: the token used a %d-byte GCM IV, not %d", len(used), gcmIVSize)
		}
		if len(ct) != len(plaintext)+gcmTagSize {
			return fmt.Errorf("rootkey: the token's AES-GCM output is %d bytes for %d bytes of input", len(ct), len(plaintext))
		}
		out = make([]byte, 0, 1+gcmIVSize+len(ct))
		out = append(append(append(out, hsmVersion), used...), ct...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
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
	var pt []byte
	err := h.do(func(s *session) error {
		params := mp.NewGCMParams(sealed[1:1+gcmIVSize], []byte(context), 8*gcmTagSize)
		defer params.Free()
		if err := h.ctx.DecryptInit(s.h, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_GCM, params)}, s.key); err != nil {
			return tokenError("C_DecryptInit", err)
		}
		h.tokenOps.Add(1)
		var err error
		if pt, err = h.ctx.Decrypt(s.h, sealed[1+gcmIVSize:]); err != nil {
			return tokenError("C_Decrypt", err)
		}
		return nil
	})
	if err != nil {
		if isDataError(err) {
			return nil, ErrUnseal
		}
		return nil, err
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}
