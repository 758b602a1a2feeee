//go:build cgo

// AES-GCM encryption and decryption in the token, on pooled sessions.

package pkcs11

import (
	"errors"
	"fmt"

	mp "github.com/miekg/pkcs11"
)

// ckrAEADDecryptFailed is PKCS#11 3.0's CKR_AEAD_DECRYPT_FAILED.
const ckrAEADDecryptFailed = 0x35

// EncryptAESGCM encrypts plaintext in the token with key (CKM_AES_GCM,
// aad as additional authenticated data, a 128-bit tag) and the GCMIVSize
// iv, and returns the IV the token used (some HSMs choose it themselves
// and write it back) and the ciphertext followed by the tag.
//
// C_Encrypt and C_Decrypt are called once each, into a buffer of Go memory
// sized for GCM (cryptOnce), on every module: NSS softokn answers
// miekg/pkcs11's length question for C_Encrypt without room for the tag,
// and no copy of a plaintext is left in C memory.
func (p *Pool) EncryptAESGCM(key PoolKey, iv, aad, plaintext []byte) (usedIV, ciphertext []byte, err error) {
	if len(iv) != GCMIVSize {
		return nil, nil, fmt.Errorf("pkcs11: AES-GCM IV of %d bytes, want %d", len(iv), GCMIVSize)
	}
	err = p.do(func(s *poolSession) error {
		h, err := p.findKey(s, key)
		if err != nil {
			return err
		}
		params := mp.NewGCMParams(iv, aad, 8*GCMTagSize)
		defer params.Free()
		if err := p.ctx.EncryptInit(s.h, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_GCM, params)}, h); err != nil {
			return p11err("C_EncryptInit", err, "")
		}
		p.calls.Add(1)
		ct, err := cryptOnce(p.anchor.mod, fnEncrypt, s.h, plaintext, len(plaintext)+GCMTagSize)
		if err != nil {
			return p11err("C_Encrypt", err, "")
		}
		used := params.IV()
		if len(used) != GCMIVSize {
			return fmt.Errorf("pkcs11: token %q used a %d-byte GCM IV, not %d", p.info.Label, len(used), GCMIVSize)
		}
		if len(ct) != len(plaintext)+GCMTagSize {
			return fmt.Errorf("pkcs11: token %q's AES-GCM output is %d bytes for %d bytes of input", p.info.Label, len(ct), len(plaintext))
		}
		usedIV, ciphertext = used, ct
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return usedIV, ciphertext, nil
}

// DecryptAESGCM decrypts ciphertext (followed by its 128-bit tag) in the
// token with key, iv and aad. If the token refuses the ciphertext itself
// the error wraps ErrDecryptFailed. The plaintext is never nil on success.
func (p *Pool) DecryptAESGCM(key PoolKey, iv, aad, ciphertext []byte) ([]byte, error) {
	if len(iv) != GCMIVSize || len(ciphertext) < GCMTagSize {
		return nil, fmt.Errorf("%w: AES-GCM IV of %d bytes, ciphertext of %d", ErrDecryptFailed, len(iv), len(ciphertext))
	}
	var pt []byte
	err := p.do(func(s *poolSession) error {
		h, err := p.findKey(s, key)
		if err != nil {
			return err
		}
		params := mp.NewGCMParams(iv, aad, 8*GCMTagSize)
		defer params.Free()
		if err := p.ctx.DecryptInit(s.h, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_GCM, params)}, h); err != nil {
			return p11err("C_DecryptInit", err, "")
		}
		p.calls.Add(1)
		if pt, err = cryptOnce(p.anchor.mod, fnDecrypt, s.h, ciphertext, len(ciphertext)); err != nil {
			if isDataError(err) {
				return fmt.Errorf("%w (%w)", ErrDecryptFailed, p11err("C_Decrypt", err, ""))
			}
			return p11err("C_Decrypt", err, "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// isDataError reports C_Decrypt's codes for a ciphertext that does not
// authenticate.
func isDataError(err error) bool {
	var rv mp.Error
	if !errors.As(err, &rv) {
		return false
	}
	switch uint(rv) {
	case mp.CKR_ENCRYPTED_DATA_INVALID, mp.CKR_ENCRYPTED_DATA_LEN_RANGE, mp.CKR_DATA_INVALID,
		mp.CKR_DATA_LEN_RANGE, mp.CKR_SIGNATURE_INVALID, mp.CKR_FUNCTION_FAILED, mp.CKR_GENERAL_ERROR,
		ckrAEADDecryptFailed:
		return true
	}
	return false
}

// CheckAESGCM checks that the token offers CKM_AES_GCM for C_Encrypt and
// C_Decrypt with 256-bit keys.
func (p *Pool) CheckAESGCM() error {
	p.mu.Lock()
	slot := p.slot
	p.mu.Unlock()
	info, err := p.ctx.GetMechanismInfo(slot, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_GCM, nil)})
	if err != nil {
		return fmt.Errorf("token %q does not offer CKM_AES_GCM: %w", p.info.Label, p11err("C_GetMechanismInfo", err, ""))
	}
	if info.Flags&(mp.CKF_ENCRYPT|mp.CKF_DECRYPT) != mp.CKF_ENCRYPT|mp.CKF_DECRYPT {
		return fmt.Errorf("token %q offers CKM_AES_GCM but not for C_Encrypt and C_Decrypt", p.info.Label)
	}
	// Tokens give AES key sizes in bytes or in bits.
	if info.MaxKeySize != 0 && info.MaxKeySize < 32 && info.MaxKeySize != 256 {
		return fmt.Errorf("token %q offers CKM_AES_GCM only for keys up to %d", p.info.Label, info.MaxKeySize)
	}
	return nil
}

// findKey returns the handle of key in session s, finding it the first
// time: exactly one secret key must match.
func (p *Pool) findKey(s *poolSession, key PoolKey) (mp.ObjectHandle, error) {
	ck := key.cacheKey()
	if h, ok := s.keys[ck]; ok {
		return h, nil
	}
	if key.Label == "" && len(key.ID) == 0 {
		return 0, errors.New("pkcs11: PoolKey selects no key: give a label or an id")
	}
	tmpl := []*mp.Attribute{mp.NewAttribute(mp.CKA_CLASS, mp.CKO_SECRET_KEY)}
	if key.Protected {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_SENSITIVE, true), mp.NewAttribute(mp.CKA_EXTRACTABLE, false))
	}
	if key.Label != "" {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_LABEL, key.Label))
	}
	if len(key.ID) > 0 {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_ID, key.ID))
	}
	if err := p.ctx.FindObjectsInit(s.h, tmpl); err != nil {
		return 0, p11err("C_FindObjectsInit", err, "")
	}
	hs, _, err := p.ctx.FindObjects(s.h, 2)
	_ = p.ctx.FindObjectsFinal(s.h)
	if err != nil {
		return 0, p11err("C_FindObjects", err, "")
	}
	if len(hs) != 1 {
		return 0, p.mustFindKey(key, len(hs))
	}
	s.keys[ck] = hs[0]
	return hs[0], nil
}
