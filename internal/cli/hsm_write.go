package cli

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/trent-kms/trent/internal/byokflow"
	"github.com/trent-kms/trent/internal/pkcs11"
)

func setAttrsFlags(fs *flag.FlagSet) func(*hsmRun) error {
	sel := objectFlag(fs, "the object to change")
	newLabel := fs.String("new-label", "", "new CKA_LABEL")
	label := fs.String("label", "", "the label the object must have (confirms a bare handle number)")
	id := fs.String("id", "", "the CKA_ID (hex) the object must have (confirms a bare handle number)")
	bools := map[string]*bool{}
	for _, name := range pkcs11.BoolAttrs {
		bools[name] = fs.Bool(name, false, "set CKA_"+strings.ToUpper(name)+" (--"+name+" or --"+name+"=false)")
	}
	return func(h *hsmRun) error {
		c := pkcs11.AttrChanges{Bool: map[string]bool{}}
		if flagSet(h.fs, "new-label") {
			c.Label = newLabel
		}
		for name, v := range bools {
			if flagSet(h.fs, name) {
				c.Bool[name] = *v
			}
		}
		if c.Label == nil && len(c.Bool) == 0 {
			return usagef("nothing to set: give --new-label or boolean attributes such as --wrap --encrypt (or --wrap=false)")
		}
		want, wantID, err := confirmFlags(h, *label, *id)
		if err != nil {
			return err
		}
		o, err := h.findObject("object", orURIObject(*sel, h.uri), "", want, wantID, "change", "confirm it with --label or --id")
		if err != nil {
			return err
		}
		if err := h.tok.SetAttributes(o.Handle, c); err != nil {
			return err
		}
		a, err := h.tok.Attributes(o.Handle)
		if err != nil {
			return err
		}
		if h.json {
			return h.printJSON(a)
		}
		printAttrs(h, a)
		return nil
	}
}

// boolFlags defines the Luna procedure's key attributes as flags; their
// defaults are applied after parsing (they depend on --type).
type boolFlags map[string]*bool

var keygenAttrs = []string{"token", "private", "sensitive", "modifiable", "extractable", "encrypt", "decrypt",
	"sign", "verify", "wrap", "unwrap", "derive"}

func keygenFlags(fs *flag.FlagSet) func(*hsmRun) error {
	typ := fs.String("type", "aes", "aes; generic-secret or hmac for HMAC; rsa or ec for a key pair")
	size := fs.Int("size", 0, "key length in bytes: AES 16, 24 or 32 (default 32); generic secret (default 32)")
	pair := keyPairFlags(fs)
	label := fs.String("label", "", "CKA_LABEL")
	id := fs.String("id", "", "CKA_ID (hex; default 8 random bytes, so that the key has a stable reference)")
	flags := boolFlags{}
	aes, hmac := pkcs11.BYOKKeySpec(), pkcs11.HMACKeySpec(32)
	for _, name := range keygenAttrs {
		flags[name] = fs.Bool(name, false, fmt.Sprintf("CKA_%s (default for aes %v, for generic-secret %v)",
			strings.ToUpper(name), *specBool(&aes, name), *specBool(&hmac, name)))
	}
	return func(h *hsmRun) error {
		if done, err := pair.run(h, *typ, *size, *label, *id, flags); done {
			return err
		}
		var spec pkcs11.KeySpec
		switch *typ {
		case "aes", "AES":
			spec = pkcs11.BYOKKeySpec()
		case "generic-secret", "GENERIC_SECRET", "hmac":
			spec = pkcs11.HMACKeySpec(32)
		default:
			return usagef("--type %q: use aes or generic-secret (hmac) for a secret key, rsa or ec for a key pair", *typ)
		}
		if *size != 0 {
			spec.Bytes = *size
		}
		spec.Label = *label
		var err error
		if spec.ID, err = parseHex("id", *id); err != nil {
			return err
		}
		if spec.ID == nil {
			spec.ID = byokflow.RandomID()
		}
		for name, v := range flags {
			if flagSet(h.fs, name) {
				*specBool(&spec, name) = *v
			}
		}
		oh, err := h.tok.GenerateSecretKey(spec)
		if err != nil {
			return err
		}
		a, err := h.tok.Attributes(oh)
		if err != nil {
			return err
		}
		kcv, kerr := h.tok.CheckValue(oh)
		if h.json {
			return h.printJSON(struct {
				pkcs11.Attrs
				KCV    pkcs11.Hex `json:"kcv,omitempty"`
				Method string     `json:"kcv_method,omitempty"`
			}{a, kcv.Value, kcv.Method})
		}
		fmt.Fprintf(h.stdout, "generated %s key of %d bytes on token %q: %s\n", spec.Type, spec.Bytes, h.tok.Info().Label, stableRef(h, a))
		printAttrs(h, a)
		if kerr == nil {
			fmt.Fprintf(h.stdout, "kcv=%s method=%s\n", kcv.Value, kcv.Method)
		}
		return nil
	}
}

// specBool returns the field of a KeySpec for an attribute name.
func specBool(s *pkcs11.KeySpec, name string) *bool {
	return map[string]*bool{"token": &s.Token, "private": &s.Private, "sensitive": &s.Sensitive,
		"modifiable": &s.Modifiable, "extractable": &s.Extractable, "encrypt": &s.Encrypt, "decrypt": &s.Decrypt,
		"sign": &s.Sign, "verify": &s.Verify, "wrap": &s.Wrap, "unwrap": &s.Unwrap, "derive": &s.Derive}[name]
}

func importPubkeyFlags(fs *flag.FlagSet) func(*hsmRun) error {
	in := fs.String("in", "", "the RSA public key: ImportParameters.zip, get-parameters-for-import JSON, KMS's wrapping key file (DER SubjectPublicKeyInfo), its base64, or PEM")
	label := fs.String("label", "KMS wrapping key", "CKA_LABEL")
	id := fs.String("id", "", "CKA_ID (hex; default: SHA-1 of the modulus)")
	token := fs.Bool("token", true, "a token object (--token=false: a session object, gone when trent exits)")
	wrap := fs.Bool("wrap", true, "CKA_WRAP")
	encrypt := fs.Bool("encrypt", true, "CKA_ENCRYPT")
	verify := fs.Bool("verify", false, "CKA_VERIFY")
	return func(h *hsmRun) error {
		if *in == "" {
			return usagef("--in FILE is required (ImportParameters.zip, get-parameters-for-import JSON, the wrapping key file, or PEM)")
		}
		data, err := readPublicKeyFile(*in)
		if err != nil {
			return err
		}
		pub, err := pkcs11.ParsePublicKey(data)
		if err != nil {
			return fmt.Errorf("%s: %w", *in, err)
		}
		opts := pkcs11.PublicKeyOptions{Label: *label, Token: *token, Wrap: *wrap, Encrypt: *encrypt, Verify: *verify}
		if opts.ID, err = parseHex("id", *id); err != nil {
			return err
		}
		oh, err := h.tok.ImportRSAPublicKey(pub, opts)
		if err != nil {
			return err
		}
		a, err := h.tok.Attributes(oh)
		if err != nil {
			return err
		}
		if h.json {
			return h.printJSON(a)
		}
		fmt.Fprintf(h.stdout, "imported RSA-%d public key on token %q: %s\n", pub.N.BitLen(), h.tok.Info().Label, stableRef(h, a))
		printAttrs(h, a)
		return nil
	}
}

// stableRef names a new object for the user: its label, id and URI (a
// handle is valid in this session only on SoftHSM2).
func stableRef(h *hsmRun, a pkcs11.Attrs) string {
	o := pkcs11.Object{Class: a.Class, ID: a.ID}
	if a.Label != nil {
		o.Label = *a.Label
	}
	s := fmt.Sprintf("label %q", o.Label)
	if len(o.ID) > 0 {
		s += ", id " + o.ID.String()
	}
	return s + ", " + o.URI(h.tok.Info()).String()
}

// readPublicKeyFile reads an RSA public key file as the user has it:
// ImportParameters.zip and get-parameters-for-import's JSON give their
// wrapping key; anything else is returned for pkcs11.ParsePublicKey.
func readPublicKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t := bytes.TrimSpace(data)
	if bytes.HasPrefix(t, []byte("PK\x03\x04")) || bytes.HasPrefix(t, []byte("{")) {
		p, err := byokflow.ReadParams(path)
		if err != nil {
			return nil, err
		}
		return p.PublicKey, nil
	}
	return data, nil
}

// confirmFlags reads --label and --id, which a command that changes an
// object takes as what the object must have.
func confirmFlags(h *hsmRun, label, id string) (*string, []byte, error) {
	b, err := parseHex("id", id)
	if err != nil {
		return nil, nil, err
	}
	if flagSet(h.fs, "label") {
		return &label, b, nil
	}
	return nil, b, nil
}
