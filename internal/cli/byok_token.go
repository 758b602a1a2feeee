package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// hsmKeyFlags select the HSM key, or ask for a new one.
type hsmKeyFlags struct {
	sel, label, id string
	generate, keep bool
}

func (h *hsmKeyFlags) define(fs *flag.FlagSet, generate bool) {
	fs.StringVar(&h.sel, "hsm-key", "", "the AES-256 key in the token: handle, label:NAME, id:HEX, pkcs11: URI or a plain label")
	if generate {
		fs.BoolVar(&h.generate, "generate", false, "generate a new AES-256 key in the token (token object, sensitive, extractable) instead of --hsm-key")
		fs.StringVar(&h.label, "hsm-label", "", "CKA_LABEL of the key --generate makes (default trent-byok-<UTC time>)")
		fs.StringVar(&h.id, "hsm-id", "", "CKA_ID (hex) of the key --generate makes")
		fs.BoolVar(&h.keep, "keep-generated", false, "keep the key --generate made even if the run fails before the key reaches KMS")
	}
}

func (h *hsmKeyFlags) check() error {
	switch {
	case h.generate && h.sel != "":
		return usagef("give --hsm-key or --generate, not both")
	case !h.generate && h.sel == "":
		return usagef("say which HSM key to import: --hsm-key (handle, label:NAME, id:HEX or pkcs11: URI), or --generate a new one")
	case !h.generate && (h.label != "" || h.id != "" || h.keep):
		return usagef("--hsm-label, --hsm-id and --keep-generated go with --generate")
	}
	return nil
}

// hsmKey is the key being imported.
type hsmKey struct {
	Token     string        `json:"token"`
	Serial    string        `json:"serial,omitempty"`
	Handle    pkcs11.Handle `json:"handle"`
	Label     string        `json:"label,omitempty"`
	ID        pkcs11.Hex    `json:"id,omitempty"`
	KCV       pkcs11.Hex    `json:"kcv,omitempty"`
	KCVMethod string        `json:"kcv_method,omitempty"`
	Generated bool          `json:"generated,omitempty"`
}

func (k hsmKey) String() string {
	s := fmt.Sprintf("handle %d", k.Handle)
	if k.Label != "" {
		s += fmt.Sprintf(", label %q", k.Label)
	}
	if len(k.ID) > 0 {
		s += ", id " + k.ID.String()
	}
	return s + fmt.Sprintf(", token %q", k.Token)
}

// openToken opens the token the flags select; notices from the token
// layer become progress notes. The token is closed at the end of the run.
func (r *byokRun) openToken(tf *tokenFlags) (*pkcs11.Token, error) {
	cfg, uri, err := tf.config()
	if err != nil {
		return nil, usageError{err}
	}
	cfg.Notice = r.prog.note
	cfg.PIN = tf.pinSource(r.ctx, uri, r.stderr)
	tok, err := pkcs11.Open(cfg)
	if err != nil {
		return nil, err
	}
	r.closers = append(r.closers, func() { _ = tok.Close() })
	return tok, nil
}

// tokenDetail describes the open token for the progress line.
func tokenDetail(tok *pkcs11.Token) string {
	i := tok.Info()
	return fmt.Sprintf("token %q (slot %d, %s %s, serial %s)", i.Label, i.Slot, i.Manufacturer, i.Model, i.Serial)
}

// findHSMKey finds the key, or generates it, and checks that it can be
// imported: an AES key of 32 bytes that the token will wrap. A key this
// run generates is destroyed if the run fails before the key material
// reaches KMS (*imported false), unless --keep-generated.
func (r *byokRun) findHSMKey(tok *pkcs11.Token, f *hsmKeyFlags, imported *bool) (hsmKey, error) {
	info := tok.Info()
	k := hsmKey{Token: info.Label, Serial: info.Serial}
	if f.generate {
		spec := pkcs11.BYOKKeySpec()
		spec.Label = f.label
		if spec.Label == "" {
			spec.Label = "trent-byok-" + time.Now().UTC().Format("20060102T150405Z")
		}
		var err error
		if spec.ID, err = parseHex("hsm-id", f.id); err != nil {
			return k, err
		}
		h, err := tok.GenerateSecretKey(spec)
		if err != nil {
			return k, err
		}
		k.Handle, k.Generated = h, true
		r.onFailure(func(context.Context) string {
			switch {
			case *imported:
				return fmt.Sprintf("kept the generated HSM key (%s): its material was imported into KMS", k)
			case f.keep:
				return fmt.Sprintf("kept the generated HSM key (%s), as --keep-generated asks", k)
			}
			if err := tok.DestroyObject(h); err != nil {
				return fmt.Sprintf("could not destroy the generated HSM key (%s): %v; destroy it with trent hsm destroy", k, err)
			}
			return fmt.Sprintf("destroyed the generated HSM key (%s): it never reached KMS (--keep-generated keeps it)", k)
		})
	} else {
		h, err := resolveObject(tok, "hsm-key", f.sel, "secret-key")
		if err != nil {
			return k, err
		}
		k.Handle = h
	}
	a, err := tok.Attributes(k.Handle)
	if err != nil {
		return k, err
	}
	if a.Label != nil {
		k.Label = *a.Label
	}
	k.ID = a.ID
	if a.Class != "secret-key" || a.KeyType != pkcs11.KeyTypeAES {
		return k, fmt.Errorf("the HSM key (%s) is a %s %s: an AES-256 secret key is what KMS takes as SYMMETRIC_DEFAULT key material", k, a.KeyType, a.Class)
	}
	if a.ValueLen != nil && *a.ValueLen != 32 {
		return k, fmt.Errorf("the HSM key (%s) is AES-%d: KMS takes exactly 32 bytes (AES-256) for SYMMETRIC_DEFAULT keys", k, 8**a.ValueLen)
	}
	if err := checkExtractable(tok, k, a); err != nil {
		return k, err
	}
	if kcv, err := tok.CheckValue(k.Handle); err == nil {
		k.KCV, k.KCVMethod = kcv.Value, kcv.Method
	}
	return k, nil
}

// checkExtractable refuses, before anything is made in KMS, a key the
// token will not wrap. A key with extractable=false that is modifiable is
// made extractable for a moment and set back, which is what Wrap will do
// (Luna allows it); a token that refuses is reported now.
func checkExtractable(tok *pkcs11.Token, k hsmKey, a pkcs11.Attrs) error {
	if a.Extractable == nil || *a.Extractable {
		return nil
	}
	if a.Modifiable != nil && !*a.Modifiable {
		return fmt.Errorf("the HSM key (%s) has extractable=false and modifiable=false: it can never leave the token (a wrap fails with CKR_KEY_UNEXTRACTABLE); use a key generated with extractable=true (trent byok import --generate, or trent hsm keygen)", k)
	}
	if err := tok.SetAttributes(k.Handle, pkcs11.AttrChanges{Bool: map[string]bool{"extractable": true}}); err != nil {
		return fmt.Errorf("the HSM key (%s) has extractable=false and the token will not make it extractable, so it cannot be wrapped: %w", k, err)
	}
	if err := tok.SetAttributes(k.Handle, pkcs11.AttrChanges{Bool: map[string]bool{"extractable": false}}); err != nil {
		return fmt.Errorf("the HSM key (%s) was made extractable to check it and could not be set back to extractable=false: %w", k, err)
	}
	return nil
}

// importWrappingKey imports KMS's wrapping public key (DER, as
// GetParametersForImport returns it) as a session object with wrap=true,
// and registers its destruction; destroy destroys it now (at most once).
func (r *byokRun) importWrappingKey(tok *pkcs11.Token, der []byte, keyID string) (h pkcs11.Handle, destroy func() error, err error) {
	pub, err := pkcs11.ParsePublicKey(der)
	if err != nil {
		return 0, nil, fmt.Errorf("KMS's wrapping public key: %w", err)
	}
	h, err = tok.ImportRSAPublicKey(pub, pkcs11.PublicKeyOptions{Label: "KMS wrapping key for " + shortKeyID(keyID), Wrap: true, Encrypt: true})
	if err != nil {
		return 0, nil, err
	}
	done := false
	destroy = func() error {
		if done {
			return nil
		}
		done = true
		return tok.DestroyObject(h)
	}
	r.onFailure(func(context.Context) string {
		if done {
			return ""
		}
		if err := destroy(); err != nil {
			return fmt.Sprintf("could not destroy the wrapping key object (handle %d): %v; it is a session object, gone when trent exits", h, err)
		}
		return fmt.Sprintf("destroyed the wrapping key object (handle %d) in the token", h)
	})
	return h, destroy, nil
}

// shortKeyID is the key ID of a key ARN.
func shortKeyID(ref string) string {
	for i := len(ref) - 1; i >= 0; i-- {
		if ref[i] == '/' {
			return ref[i+1:]
		}
	}
	return ref
}
