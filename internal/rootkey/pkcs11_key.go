//go:build cgo

// Finding the HSM root key on the token and checking it and the token
// (its attributes, the module, CKM_AES_GCM).

package rootkey

import (
	"fmt"

	mp "github.com/miekg/pkcs11"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// findRootKey finds the one key cfg selects and checks its attributes.
func findRootKey(tok *pkcs11.Token, cfg PKCS11Config) (pkcs11.Attrs, error) {
	label := tok.Info().Label
	objs, err := tok.FindObjects(pkcs11.Filter{Class: "secret-key", Label: cfg.KeyLabel, ID: cfg.KeyID})
	if err != nil {
		return pkcs11.Attrs{}, fmt.Errorf("rootkey: token %q: %w", label, err)
	}
	switch len(objs) {
	case 0:
		return pkcs11.Attrs{}, fmt.Errorf("rootkey: %w: token %q has no secret key with %s (a private key is visible only after a login): create the root key with `trent admin root-key create`",
			ErrNoRootKey, label, cfg.describeKey())
	case 1:
	default:
		return pkcs11.Attrs{}, fmt.Errorf("rootkey: token %q has %d secret keys with %s: the root key must be unique; select it by id as well (pkcs11: URI with id=)",
			label, len(objs), cfg.describeKey())
	}
	a, err := tok.Attributes(objs[0].Handle)
	if err != nil {
		return pkcs11.Attrs{}, fmt.Errorf("rootkey: token %q: %w", label, err)
	}
	if err := checkRootKeyAttrs(a); err != nil {
		return pkcs11.Attrs{}, fmt.Errorf("rootkey: the key with %s on token %q cannot be the root key: %w", cfg.describeKey(), label, err)
	}
	return a, nil
}

// modulePath is the module package pkcs11 loads for cfg (see its Config).
func modulePath(cfg pkcs11.Config) string {
	switch {
	case cfg.Module != "":
		return cfg.Module
	case cfg.URI != nil && cfg.URI.ModulePath != "":
		return cfg.URI.ModulePath
	case cfg.URI != nil && cfg.URI.ModuleName != "":
		return "lib" + cfg.URI.ModuleName + ".so"
	case cfg.NSSDB != "":
		return "libsoftokn3.so"
	}
	return ""
}

func (h *HSM) checkMechanism() error {
	info, err := h.ctx.GetMechanismInfo(h.slot, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_GCM, nil)})
	if err != nil {
		return fmt.Errorf("rootkey: token %q does not offer CKM_AES_GCM, which the HSM root key seals with: %w", h.info.Label, err)
	}
	if info.Flags&(mp.CKF_ENCRYPT|mp.CKF_DECRYPT) != mp.CKF_ENCRYPT|mp.CKF_DECRYPT {
		return fmt.Errorf("rootkey: token %q offers CKM_AES_GCM but not for C_Encrypt and C_Decrypt", h.info.Label)
	}
	if info.MaxKeySize != 0 && info.MaxKeySize < 32 && info.MaxKeySize != 256 {
		return fmt.Errorf("rootkey: token %q offers CKM_AES_GCM only for keys up to %d", h.info.Label, info.MaxKeySize)
	}
	return nil
}

// findKey finds the root key in a session: the one secret AES key with the
// label (and id) found at open, still sensitive and not extractable.
func (h *HSM) findKey(sh mp.SessionHandle) (mp.ObjectHandle, error) {
	tmpl := []*mp.Attribute{
		mp.NewAttribute(mp.CKA_CLASS, mp.CKO_SECRET_KEY),
		mp.NewAttribute(mp.CKA_KEY_TYPE, mp.CKK_AES),
		mp.NewAttribute(mp.CKA_SENSITIVE, true),
		mp.NewAttribute(mp.CKA_EXTRACTABLE, false),
	}
	if h.label != "" {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_LABEL, h.label))
	}
	if len(h.keyID) > 0 {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_ID, h.keyID))
	}
	if err := h.ctx.FindObjectsInit(sh, tmpl); err != nil {
		return 0, tokenError("C_FindObjectsInit", err)
	}
	hs, _, err := h.ctx.FindObjects(sh, 2)
	_ = h.ctx.FindObjectsFinal(sh)
	if err != nil {
		return 0, tokenError("C_FindObjects", err)
	}
	if len(hs) != 1 {
		return 0, fmt.Errorf("rootkey: token %q: %d sensitive, non-extractable AES keys with label %q and id %x, want exactly 1 (the root key was changed or deleted)",
			h.info.Label, len(hs), h.label, h.keyID)
	}
	return hs[0], nil
}
