//go:build cgo

package pkcs11

import (
	"crypto/rsa"
	"fmt"
	"math/big"

	mp "github.com/miekg/pkcs11"
)

// GenerateSecretKey generates a secret key in the token with exactly the
// attributes of spec (AES of 16, 24 or 32 bytes, or a generic secret for
// HMAC). It checks first that the token offers the key generation
// mechanism.
func (t *Token) GenerateSecretKey(spec KeySpec) (Handle, error) {
	if err := t.lock(); err != nil {
		return 0, err
	}
	defer t.mu.Unlock()
	var mech, keyType uint
	switch spec.Type {
	case KeyTypeAES:
		if spec.Bytes != 16 && spec.Bytes != 24 && spec.Bytes != 32 {
			return 0, fmt.Errorf("an AES key is 16, 24 or 32 bytes, not %d", spec.Bytes)
		}
		mech, keyType = mp.CKM_AES_KEY_GEN, mp.CKK_AES
	case KeyTypeGenericSecret:
		if spec.Bytes < 1 || spec.Bytes > 1024 {
			return 0, fmt.Errorf("a generic secret is 1 to 1024 bytes, not %d", spec.Bytes)
		}
		mech, keyType = mp.CKM_GENERIC_SECRET_KEY_GEN, mp.CKK_GENERIC_SECRET
	default:
		return 0, fmt.Errorf("key type %q: Trent generates %s or %s keys", spec.Type, KeyTypeAES, KeyTypeGenericSecret)
	}
	if err := t.requireMechanism(mech, ckfGenerate, "generate"); err != nil {
		return 0, err
	}
	tmpl := []*mp.Attribute{
		mp.NewAttribute(mp.CKA_CLASS, mp.CKO_SECRET_KEY),
		mp.NewAttribute(mp.CKA_KEY_TYPE, keyType),
		mp.NewAttribute(mp.CKA_VALUE_LEN, spec.Bytes),
		mp.NewAttribute(mp.CKA_TOKEN, spec.Token),
		mp.NewAttribute(mp.CKA_PRIVATE, spec.Private),
		mp.NewAttribute(mp.CKA_SENSITIVE, spec.Sensitive),
		mp.NewAttribute(mp.CKA_MODIFIABLE, spec.Modifiable),
		mp.NewAttribute(mp.CKA_EXTRACTABLE, spec.Extractable),
		mp.NewAttribute(mp.CKA_ENCRYPT, spec.Encrypt),
		mp.NewAttribute(mp.CKA_DECRYPT, spec.Decrypt),
		mp.NewAttribute(mp.CKA_SIGN, spec.Sign),
		mp.NewAttribute(mp.CKA_VERIFY, spec.Verify),
		mp.NewAttribute(mp.CKA_WRAP, spec.Wrap),
		mp.NewAttribute(mp.CKA_UNWRAP, spec.Unwrap),
		mp.NewAttribute(mp.CKA_DERIVE, spec.Derive),
	}
	if spec.Label != "" {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_LABEL, spec.Label))
	}
	if len(spec.ID) > 0 {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_ID, spec.ID))
	}
	h, err := t.ctx.GenerateKey(t.sess, []*mp.Mechanism{mp.NewMechanism(mech, nil)}, tmpl)
	if err != nil {
		advice := ""
		if isRV(err, mp.CKR_USER_NOT_LOGGED_IN) && spec.Private {
			advice = "a private key needs a login: give the PIN (--pin-file, TRENT_PKCS11_PIN, or at the prompt)"
		}
		return 0, p11err("C_GenerateKey", err, advice)
	}
	return Handle(h), nil
}

// ImportRSAPublicKey creates an RSA public key object from its modulus and
// exponent, with the attributes of opts (CKA_PRIVATE false, so it is
// visible without a login). It reads back CKA_WRAP and CKA_ENCRYPT, since
// some tokens (Luna) create imported public keys with both false whatever
// was asked, and sets them if needed; if that fails it destroys the new
// object and returns the error, so no half-made key stays behind.
func (t *Token) ImportRSAPublicKey(pub *rsa.PublicKey, opts PublicKeyOptions) (Handle, error) {
	if err := t.lock(); err != nil {
		return 0, err
	}
	defer t.mu.Unlock()
	if pub == nil || pub.N == nil || pub.N.BitLen() < 1024 || pub.E < 3 {
		return 0, fmt.Errorf("not a usable RSA public key (modulus under 1024 bits or bad exponent)")
	}
	id := opts.ID
	if len(id) == 0 {
		id = PublicKeyID(pub)
	}
	tmpl := []*mp.Attribute{
		mp.NewAttribute(mp.CKA_CLASS, mp.CKO_PUBLIC_KEY),
		mp.NewAttribute(mp.CKA_KEY_TYPE, mp.CKK_RSA),
		mp.NewAttribute(mp.CKA_TOKEN, opts.Token),
		mp.NewAttribute(mp.CKA_PRIVATE, false),
		mp.NewAttribute(mp.CKA_MODULUS, pub.N.Bytes()),
		mp.NewAttribute(mp.CKA_PUBLIC_EXPONENT, big.NewInt(int64(pub.E)).Bytes()),
		mp.NewAttribute(mp.CKA_WRAP, opts.Wrap),
		mp.NewAttribute(mp.CKA_ENCRYPT, opts.Encrypt),
		mp.NewAttribute(mp.CKA_VERIFY, opts.Verify),
		mp.NewAttribute(mp.CKA_ID, id),
	}
	if opts.Label != "" {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_LABEL, opts.Label))
	}
	h, err := t.ctx.CreateObject(t.sess, tmpl)
	if err != nil {
		return 0, p11err("C_CreateObject", err, "")
	}
	if err := t.setAttributes(h, AttrChanges{Bool: map[string]bool{"wrap": opts.Wrap, "encrypt": opts.Encrypt}}); err != nil {
		_ = t.ctx.DestroyObject(t.sess, h)
		return 0, fmt.Errorf("the token created the public key without the wrap/encrypt attributes asked for and would not set them (the new object was destroyed): %w", err)
	}
	return Handle(h), nil
}
