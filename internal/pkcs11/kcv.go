//go:build cgo

package pkcs11

import (
	"fmt"
	"strings"

	mp "github.com/miekg/pkcs11"
)

// CheckValue computes a key check value inside the token, so that an
// administrator can compare keys without exposing them. For AES keys, in
// order of preference:
//
//   - KCVAESECB: C_Encrypt of a zero block with CKM_AES_ECB, first 3 bytes
//     (the usual KCV; needs CKA_ENCRYPT true);
//   - KCVAttribute: the token's CKA_CHECK_VALUE, which PKCS#11 2.40 defines
//     the same way, for keys with encrypt=false;
//   - KCVAESCMAC: CKM_AES_CMAC over a zero block, first 3 bytes (needs
//     CKA_SIGN true); a different value, so compare it only with another
//     AES-CMAC check value.
//
// For generic secrets: CKA_CHECK_VALUE, else C_DigestKey with SHA-1, first
// 3 bytes (the same definition). Anything else is an error that says what
// the key lacks.
func (t *Token) CheckValue(h Handle) (KCV, error) {
	if err := t.lock(); err != nil {
		return KCV{}, err
	}
	defer t.mu.Unlock()
	oh := mp.ObjectHandle(h)
	a, err := t.attributes(oh)
	if err != nil {
		return KCV{}, err
	}
	if a.Class != "secret-key" {
		return KCV{}, fmt.Errorf("handle %d is a %s: check values are for secret keys", h, a.Class)
	}
	var tried []string
	switch a.KeyType {
	case "AES":
		if a.Encrypt == nil || *a.Encrypt {
			if !t.offers(mp.CKM_AES_ECB, ckfEncrypt) {
				tried = append(tried, "the token does not offer CKM_AES_ECB for encryption")
			} else {
				out, err := t.encryptZeroBlock(oh)
				if err != nil {
					return KCV{}, err
				}
				return KCV{Value: out[:3], Method: KCVAESECB}, nil
			}
		} else {
			tried = append(tried, "it has encrypt=false (AES-ECB needs encrypt=true)")
		}
		if len(a.CheckValue) == 3 {
			return KCV{Value: a.CheckValue, Method: KCVAttribute}, nil
		}
		tried = append(tried, "the token gives no CKA_CHECK_VALUE")
		if a.Sign != nil && *a.Sign && t.offers(mp.CKM_AES_CMAC, ckfSign) {
			out, err := t.signZeroBlock(oh)
			if err != nil {
				return KCV{}, err
			}
			return KCV{Value: out[:3], Method: KCVAESCMAC}, nil
		}
		tried = append(tried, "AES-CMAC needs sign=true and CKM_AES_CMAC")
	case "GENERIC_SECRET":
		if len(a.CheckValue) == 3 {
			return KCV{Value: a.CheckValue, Method: KCVAttribute}, nil
		}
		tried = append(tried, "the token gives no CKA_CHECK_VALUE")
		if t.offers(mp.CKM_SHA_1, ckfDigest) {
			out, err := t.digestKey(oh)
			if err != nil {
				return KCV{}, err
			}
			return KCV{Value: out[:3], Method: KCVSHA1}, nil
		}
		tried = append(tried, "the token does not offer CKM_SHA_1 for C_DigestKey")
	default:
		return KCV{}, fmt.Errorf("handle %d is a %s key: Trent computes check values of AES keys and generic secrets", h, a.KeyType)
	}
	return KCV{}, fmt.Errorf("no check value can be computed inside the token for key handle %d%s: %s; if the key is modifiable, set encrypt=true with `trent hsm set-attrs`",
		h, labelSuffix(a.Label), strings.Join(tried, "; "))
}

func (t *Token) encryptZeroBlock(h mp.ObjectHandle) ([]byte, error) {
	if err := t.ctx.EncryptInit(t.sess, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_ECB, nil)}, h); err != nil {
		return nil, p11err("C_EncryptInit", err, "")
	}
	out, err := t.ctx.Encrypt(t.sess, make([]byte, 16))
	if err != nil {
		return nil, p11err("C_Encrypt", err, "")
	}
	if len(out) != 16 {
		return nil, fmt.Errorf("C_Encrypt with CKM_AES_ECB returned %d bytes, not 16", len(out))
	}
	return out, nil
}

func (t *Token) signZeroBlock(h mp.ObjectHandle) ([]byte, error) {
	if err := t.ctx.SignInit(t.sess, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_CMAC, nil)}, h); err != nil {
		return nil, p11err("C_SignInit", err, "")
	}
	out, err := t.ctx.Sign(t.sess, make([]byte, 16))
	if err != nil {
		return nil, p11err("C_Sign", err, "")
	}
	if len(out) < 3 {
		return nil, fmt.Errorf("C_Sign with CKM_AES_CMAC returned %d bytes", len(out))
	}
	return out, nil
}

func (t *Token) digestKey(h mp.ObjectHandle) ([]byte, error) {
	if err := t.ctx.DigestInit(t.sess, []*mp.Mechanism{mp.NewMechanism(mp.CKM_SHA_1, nil)}); err != nil {
		return nil, p11err("C_DigestInit", err, "")
	}
	if err := t.ctx.DigestKey(t.sess, h); err != nil {
		_, _ = t.ctx.DigestFinal(t.sess) // end the digest operation
		return nil, p11err("C_DigestKey", err, "")
	}
	out, err := t.ctx.DigestFinal(t.sess)
	if err != nil {
		return nil, p11err("C_DigestFinal", err, "")
	}
	if len(out) != 20 {
		return nil, fmt.Errorf("C_DigestFinal with CKM_SHA_1 returned %d bytes, not 20", len(out))
	}
	return out, nil
}
