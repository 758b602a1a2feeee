package byokflow

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// TokenOpener opens the token the user selected; notice receives what the
// token layer does on the user's behalf.
type TokenOpener func(notice func(string)) (*pkcs11.Token, error)

// KeyChoice says which AES key of the token to take, or to generate one.
type KeyChoice struct {
	// Ref is the key: label:NAME, id:HEX, a pkcs11: URI, a plain label
	// or a bare handle (see pkcs11.ObjectRef).
	Ref string
	// Generate makes a new AES-256 key (a token object, sensitive,
	// extractable) instead.
	Generate bool
	// Label and ID (hex): with Generate, the new key's CKA_LABEL (default
	// trent-byok-<UTC time>) and CKA_ID (default 8 random bytes); with
	// Ref, what the key must have, which is how a bare handle is
	// confirmed.
	Label, ID string
	// Keep keeps a generated key when the run fails before its material
	// reaches KMS.
	Keep bool
	// ConfirmHandle is asked about a bare handle that Label and ID did
	// not confirm, with what the handle is now; nil error goes on. Nil
	// ConfirmHandle refuses.
	ConfirmHandle func(what string) error
}

// HSMKey is the key a run exports, as it reports it.
type HSMKey struct {
	Token     string        `json:"token"`
	Serial    string        `json:"serial,omitempty"`
	Label     string        `json:"label,omitempty"`
	ID        pkcs11.Hex    `json:"id,omitempty"`
	URI       string        `json:"uri,omitempty"`
	KCV       pkcs11.Hex    `json:"kcv,omitempty"`
	KCVMethod string        `json:"kcv_method,omitempty"`
	Generated bool          `json:"generated,omitempty"`
	Handle    pkcs11.Handle `json:"handle"` // valid in the run's session only
	// KeySpec is the KMS key spec of an RSA or EC private key or an HMAC
	// key (see hsmkey_asym.go); empty for AES-256.
	KeySpec string        `json:"key_spec,omitempty"`
	pub     pkcs11.Handle // the public half of a key pair
}

func (k HSMKey) String() string {
	s := "AES-256"
	if k.KeySpec != "" {
		s = k.KeySpec
	}
	if k.Label != "" {
		s += fmt.Sprintf(", label %q", k.Label)
	}
	if len(k.ID) > 0 {
		s += ", id " + k.ID.String()
	}
	return s + fmt.Sprintf(", token %q", k.Token)
}

// KCVString is "kcv (method)", or "".
func (k HSMKey) KCVString() string {
	if k.KCV == nil {
		return ""
	}
	return fmt.Sprintf("%s (%s)", k.KCV, k.KCVMethod)
}

// CheckChoice checks the options of a KeyChoice that need no token.
func (c *KeyChoice) CheckChoice() error {
	switch {
	case c.Generate && c.Ref != "":
		return usagef("give --hsm-key or --generate, not both")
	case !c.Generate && c.Ref == "":
		return usagef("say which HSM key to import: --hsm-key (label:NAME, id:HEX or pkcs11: URI), or --generate a new one")
	case !c.Generate && c.Keep:
		return usagef("--keep-generated goes with --generate")
	}
	if _, err := hex.DecodeString(strings.TrimPrefix(c.ID, "0x")); err != nil {
		return usagef("--hsm-id %q is not hex", c.ID)
	}
	if c.Ref != "" {
		if _, err := pkcs11.ParseObjectRef(c.Ref); err != nil {
			return UsageError{fmt.Errorf("--hsm-key: %w", err)}
		}
	}
	return nil
}

// findKey finds the key, or generates it, and checks that it can be
// exported: an AES key of 32 bytes that the token will wrap.
func (s *session) findKey(c *KeyChoice) (HSMKey, error) {
	info := s.tok.Info()
	k := HSMKey{Token: info.Label, Serial: info.Serial}
	id, _ := hex.DecodeString(strings.TrimPrefix(c.ID, "0x"))
	var obj pkcs11.Object
	if c.Generate {
		spec := pkcs11.BYOKKeySpec()
		spec.Label, spec.ID = c.Label, id
		if spec.Label == "" {
			spec.Label = "trent-byok-" + time.Now().UTC().Format("20060102T150405Z")
		}
		if spec.ID == nil {
			spec.ID = RandomID()
		}
		h, err := s.tok.GenerateSecretKey(spec)
		if err != nil {
			return k, err
		}
		k.Handle, k.Generated = h, true
		s.generated = &k
		obj = pkcs11.Object{Handle: h, Class: "secret-key", KeyType: "AES", Bits: 256, Label: spec.Label, ID: spec.ID}
	} else {
		var err error
		if obj, err = s.pick(c.Ref, "secret-key", c.Label, id, c.ConfirmHandle); err != nil {
			return s.findOtherKey(c, id, k, obj, nil, err)
		}
		k.Handle = obj.Handle
	}
	a, err := s.tok.Attributes(k.Handle)
	if err != nil {
		return k, err
	}
	if a.Label != nil {
		k.Label = *a.Label
	}
	k.ID = a.ID
	k.URI = obj.URI(info).String()
	if a.KeyType == pkcs11.KeyTypeGenericSecret && !c.Generate {
		return s.findOtherKey(c, id, k, obj, &a, nil)
	}
	if a.Class != "secret-key" || a.KeyType != pkcs11.KeyTypeAES {
		return k, fmt.Errorf("the HSM key (%s) is %s: KMS takes an AES-256 secret key as SYMMETRIC_DEFAULT key material", k, obj.Describe())
	}
	if a.ValueLen != nil && *a.ValueLen != 32 {
		return k, fmt.Errorf("the HSM key (%s) is AES-%d: KMS takes exactly 32 bytes (AES-256) for SYMMETRIC_DEFAULT keys", k, 8**a.ValueLen)
	}
	if err := s.checkExtractable(k, a); err != nil {
		return k, err
	}
	if kcv, err := s.tok.CheckValue(k.Handle); err == nil {
		k.KCV, k.KCVMethod = kcv.Value, kcv.Method
	}
	return k, nil
}

// undoGenerate destroys a key the run generated unless its material
// reached KMS or Keep asks to keep it.
func (s *session) undoGenerate(c *KeyChoice, imported bool) string {
	k := s.generated
	switch {
	case k == nil:
		return ""
	case imported:
		return fmt.Sprintf("kept the generated HSM key (%s): its material was imported into KMS", k)
	case c.Keep:
		return fmt.Sprintf("kept the generated HSM key (%s), as --keep-generated asks", k)
	}
	if err := s.tok.DestroyObject(k.Handle); err != nil {
		return fmt.Sprintf("could not destroy the generated HSM key (%s): %v; destroy it with trent hsm destroy --object %s", k, err, k.URI)
	}
	return fmt.Sprintf("destroyed the generated HSM key (%s): it never reached KMS (--keep-generated keeps it)", k)
}

// checkExtractable refuses, before anything is made in KMS, a key the
// token will not wrap. A key with extractable=false that is modifiable is
// made extractable for a moment and set back, which is what Wrap will do
// (Luna allows it); a token that refuses is reported now.
func (s *session) checkExtractable(k HSMKey, a pkcs11.Attrs) error {
	if a.Extractable == nil || *a.Extractable {
		return nil
	}
	if a.Modifiable != nil && !*a.Modifiable {
		return fmt.Errorf("the HSM key (%s) has extractable=false and modifiable=false: it can never leave the token (a wrap fails with CKR_KEY_UNEXTRACTABLE); use a key generated with extractable=true (trent byok import --generate, or trent hsm keygen)", k)
	}
	if err := s.tok.SetAttributes(k.Handle, pkcs11.AttrChanges{Bool: map[string]bool{"extractable": true}}); err != nil {
		return fmt.Errorf("the HSM key (%s) has extractable=false and the token will not make it extractable, so it cannot be wrapped: %w", k, err)
	}
	if err := s.tok.SetAttributes(k.Handle, pkcs11.AttrChanges{Bool: map[string]bool{"extractable": false}}); err != nil {
		return fmt.Errorf("the HSM key (%s) was made extractable to check it and could not be set back to extractable=false: %w", k, err)
	}
	return nil
}

// wrappingKey is KMS's wrapping public key, imported into the token as a
// session object for one wrap.
type wrappingKey struct {
	h    pkcs11.Handle
	made bool // imported by this run, so destroyed by it
	done bool
}

// importWrappingKey imports KMS's wrapping public key (DER) as a session
// object with wrap=true.
func (s *session) importWrappingKey(der []byte, keyID string) (*wrappingKey, error) {
	pub, err := pkcs11.ParsePublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("KMS's wrapping public key: %w", err)
	}
	h, err := s.tok.ImportRSAPublicKey(pub, pkcs11.PublicKeyOptions{Label: "KMS wrapping key for " + ShortKeyID(keyID), Wrap: true, Encrypt: true})
	if err != nil {
		return nil, err
	}
	return &wrappingKey{h: h, made: true}, nil
}

// destroy destroys a wrapping key this run imported (at most once).
func (s *session) destroy(w *wrappingKey) error {
	if w == nil || !w.made || w.done {
		return nil
	}
	w.done = true
	return s.tok.DestroyObject(w.h)
}

// undoWrappingKey is the undo of importWrappingKey.
func (s *session) undoWrappingKey(w *wrappingKey) string {
	if w == nil || !w.made || w.done {
		return ""
	}
	if err := s.destroy(w); err != nil {
		return fmt.Sprintf("could not destroy the wrapping key object: %v; it is a session object, gone when trent exits", err)
	}
	return "destroyed the wrapping key object in the token"
}

// wrap wraps the key under the wrapping key, after checking once more
// that the algorithm fits the parameters (Params.Check).
func (s *session) wrap(k HSMKey, w *wrappingKey, p *Params) (string, []byte, error) {
	keySpec := "SYMMETRIC_DEFAULT"
	if k.KeySpec != "" {
		keySpec = k.KeySpec
	}
	if err := p.checkFor(p.Algorithm, keySpec); err != nil {
		return "", nil, err
	}
	wrapped, err := s.tok.Wrap(k.Handle, w.h, p.Algorithm)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("%s, %d bytes", p.Algorithm, len(wrapped)), wrapped, nil
}
