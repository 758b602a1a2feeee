package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/trent-kms/trent/internal/pkcs11"
)

func setAttrsFlags(fs *flag.FlagSet) func(*hsmRun) error {
	sel := fs.String("handle", "", "the object: handle, label:NAME, id:HEX or pkcs11: URI")
	label := fs.String("label", "", "new label")
	bools := map[string]*bool{}
	for _, name := range pkcs11.BoolAttrs {
		bools[name] = fs.Bool(name, false, "set CKA_"+strings.ToUpper(name)+" (--"+name+" or --"+name+"=false)")
	}
	return func(h *hsmRun) error {
		c := pkcs11.AttrChanges{Bool: map[string]bool{}}
		if flagSet(h.fs, "label") {
			c.Label = label
		}
		for name, v := range bools {
			if flagSet(h.fs, name) {
				c.Bool[name] = *v
			}
		}
		if c.Label == nil && len(c.Bool) == 0 {
			return usagef("nothing to set: give --label or boolean attributes such as --wrap --encrypt (or --wrap=false)")
		}
		oh, err := resolveObject(h.tok, "handle", orURIObject(*sel, h.uri), "")
		if err != nil {
			return err
		}
		if err := h.tok.SetAttributes(oh, c); err != nil {
			return err
		}
		a, err := h.tok.Attributes(oh)
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
	typ := fs.String("type", "aes", "aes, or generic-secret for HMAC")
	size := fs.Int("size", 0, "key length in bytes: AES 16, 24 or 32 (default 32); generic secret (default 32)")
	label := fs.String("label", "", "CKA_LABEL")
	id := fs.String("id", "", "CKA_ID (hex)")
	flags := boolFlags{}
	aes, hmac := pkcs11.BYOKKeySpec(), pkcs11.HMACKeySpec(32)
	for _, name := range keygenAttrs {
		flags[name] = fs.Bool(name, false, fmt.Sprintf("CKA_%s (default for aes %v, for generic-secret %v)",
			strings.ToUpper(name), *specBool(&aes, name), *specBool(&hmac, name)))
	}
	return func(h *hsmRun) error {
		var spec pkcs11.KeySpec
		switch *typ {
		case "aes", "AES":
			spec = pkcs11.BYOKKeySpec()
		case "generic-secret", "GENERIC_SECRET", "hmac":
			spec = pkcs11.HMACKeySpec(32)
		default:
			return usagef("--type %q: use aes or generic-secret", *typ)
		}
		if *size != 0 {
			spec.Bytes = *size
		}
		spec.Label = *label
		var err error
		if spec.ID, err = parseHex("id", *id); err != nil {
			return err
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
		fmt.Fprintf(h.stdout, "generated %s key of %d bytes: handle %d on token %q\n", spec.Type, spec.Bytes, oh, h.tok.Info().Label)
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
	in := fs.String("in", "", "the RSA public key: KMS's wrapping key (DER SubjectPublicKeyInfo), its base64, or PEM")
	label := fs.String("label", "KMS wrapping key", "CKA_LABEL")
	id := fs.String("id", "", "CKA_ID (hex; default: SHA-1 of the modulus)")
	token := fs.Bool("token", true, "a token object (--token=false: a session object, gone when trent exits)")
	wrap := fs.Bool("wrap", true, "CKA_WRAP")
	encrypt := fs.Bool("encrypt", true, "CKA_ENCRYPT")
	verify := fs.Bool("verify", false, "CKA_VERIFY")
	return func(h *hsmRun) error {
		if *in == "" {
			return usagef("--in FILE is required (the wrappingKey_… file of KMS's import parameters, or PEM)")
		}
		data, err := os.ReadFile(*in)
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
		fmt.Fprintf(h.stdout, "imported RSA-%d public key: handle %d on token %q\n", pub.N.BitLen(), oh, h.tok.Info().Label)
		printAttrs(h, a)
		return nil
	}
}

// wrapResult is the JSON of trent hsm wrap.
type wrapResult struct {
	Key         pkcs11.Handle `json:"key"`
	WrappingKey pkcs11.Handle `json:"wrapping_key"`
	Algorithm   string        `json:"algorithm"`
	Out         string        `json:"out"`
	Bytes       int           `json:"bytes"`
	KCV         pkcs11.Hex    `json:"kcv,omitempty"`
	KCVMethod   string        `json:"kcv_method,omitempty"`
}

func wrapFlags(fs *flag.FlagSet) func(*hsmRun) error {
	key := fs.String("key", "", "the key to wrap: handle, label:NAME, id:HEX or pkcs11: URI")
	wrapping := fs.String("wrapping-key", "", "KMS's wrapping public key in the token (see import-pubkey)")
	alg := fs.String("algorithm", "", "KMS wrapping algorithm: "+strings.Join(pkcs11.Algorithms, ", "))
	out := fs.String("out", "", "file to write the wrapped key material to (KMS's EncryptedKeyMaterial)")
	return func(h *hsmRun) error {
		if *alg == "" || *out == "" {
			return usagef("--algorithm and --out are required")
		}
		kh, err := resolveObject(h.tok, "key", *key, "")
		if err != nil {
			return err
		}
		wh, err := resolveObject(h.tok, "wrapping-key", *wrapping, "public-key")
		if err != nil {
			return err
		}
		wrapped, err := h.tok.Wrap(kh, wh, *alg)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*out, wrapped); err != nil {
			return err
		}
		r := wrapResult{Key: kh, WrappingKey: wh, Algorithm: *alg, Out: *out, Bytes: len(wrapped)}
		if kcv, err := h.tok.CheckValue(kh); err == nil {
			r.KCV, r.KCVMethod = kcv.Value, kcv.Method
		}
		if h.json {
			return h.printJSON(r)
		}
		fmt.Fprintf(h.stdout, "wrapped key handle %d with %s under wrapping key handle %d: %d bytes written to %s\n",
			kh, *alg, wh, len(wrapped), *out)
		if r.KCV != nil {
			fmt.Fprintf(h.stdout, "kcv=%s method=%s (compare after import)\n", r.KCV, r.KCVMethod)
		}
		return nil
	}
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory, so a failure leaves no partial file.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".trent-wrap-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func destroyFlags(fs *flag.FlagSet) func(*hsmRun) error {
	sel := fs.String("handle", "", "the object: handle, label:NAME, id:HEX or pkcs11: URI")
	return func(h *hsmRun) error {
		oh, err := resolveObject(h.tok, "handle", orURIObject(*sel, h.uri), "")
		if err != nil {
			return err
		}
		if err := h.tok.DestroyObject(oh); err != nil {
			return err
		}
		if h.json {
			return h.printJSON(map[string]pkcs11.Handle{"destroyed": oh})
		}
		fmt.Fprintf(h.stdout, "destroyed object handle %d on token %q\n", oh, h.tok.Info().Label)
		return nil
	}
}
