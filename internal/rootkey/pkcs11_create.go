package rootkey

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// RootKeySpec is the PKCS#11 key CreatePKCS11Key generates: AES-256, a
// private token object, sensitive and never extractable, for encrypt and
// decrypt only, and not modifiable, so none of this can be changed later.
func RootKeySpec(label string, id []byte) pkcs11.KeySpec {
	return pkcs11.KeySpec{Type: pkcs11.KeyTypeAES, Bytes: 32, Label: label, ID: id,
		Token: true, Private: true, Sensitive: true, Modifiable: false, Extractable: false,
		Encrypt: true, Decrypt: true}
}

// CreatePKCS11Key generates the root key in the token cfg.Token selects
// (C_GenerateKey, so its value exists only inside the token) with the label
// cfg.KeyLabel (default DefaultPKCS11KeyLabel) and the CKA_ID cfg.KeyID (16
// random bytes if empty). It refuses if the token already has an object
// with that label, and checks the attributes the token gave the new key,
// destroying it if the token did not honour them. It needs the user's
// login (the key is private).
func CreatePKCS11Key(cfg PKCS11Config) (PKCS11KeyInfo, error) {
	if cfg.KeyLabel == "" {
		cfg.KeyLabel = DefaultPKCS11KeyLabel
	}
	tok, err := pkcs11.Open(cfg.Token)
	if err != nil {
		return PKCS11KeyInfo{}, fmt.Errorf("rootkey: %w", err)
	}
	defer tok.Close()
	info := tok.Info()
	if info.LoginRequired() && cfg.Token.PIN == nil {
		return PKCS11KeyInfo{}, fmt.Errorf("rootkey: token %q needs a login to create a private key: give its PIN", info.Label)
	}
	existing, err := tok.FindObjects(pkcs11.Filter{Label: cfg.KeyLabel})
	if err != nil {
		return PKCS11KeyInfo{}, fmt.Errorf("rootkey: token %q: %w", info.Label, err)
	}
	if len(existing) > 0 {
		o := existing[0]
		return PKCS11KeyInfo{}, fmt.Errorf("rootkey: token %q already has an object labelled %q (%s %s, handle %d): the root key is found by its label, so it must be unique; choose another --label, or use the existing key",
			info.Label, cfg.KeyLabel, o.KeyType, o.Class, o.Handle)
	}
	id := cfg.KeyID
	if len(id) == 0 {
		id = make([]byte, 16)
		if _, err := rand.Read(id); err != nil {
			return PKCS11KeyInfo{}, err
		}
	}
	h, err := tok.GenerateSecretKey(RootKeySpec(cfg.KeyLabel, id))
	if err != nil {
		return PKCS11KeyInfo{}, fmt.Errorf("rootkey: token %q: %w", info.Label, err)
	}
	attrs, err := tok.Attributes(h)
	if err == nil {
		err = checkRootKeyAttrs(attrs)
	}
	if err != nil {
		if derr := tok.DestroyObject(h); derr != nil {
			err = errors.Join(err, fmt.Errorf("and destroying the new key failed (destroy it by hand, label %q): %w", cfg.KeyLabel, derr))
		}
		return PKCS11KeyInfo{}, fmt.Errorf("rootkey: the token did not create the key as asked: %w", err)
	}
	out := PKCS11KeyInfo{ID: pkcs11ID(cfg.KeyLabel, id), URI: KeyURI(info.Label, cfg.KeyLabel, nil),
		Label: cfg.KeyLabel, KeyID: id, Token: info, Attrs: attrs}
	if kcv, err := tok.CheckValue(h); err == nil {
		out.KCV = &kcv
	}
	return out, nil
}
