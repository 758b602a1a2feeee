package cli

import (
	"encoding/base64"
	"flag"
	"fmt"

	"github.com/trent-kms/trent/internal/byokflow"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// keyPairOpts are the keygen flags for RSA and EC key pairs and for
// HMAC keys sized in bits.
type keyPairOpts struct {
	bits  *int
	curve *string
}

func keyPairFlags(fs *flag.FlagSet) keyPairOpts {
	return keyPairOpts{
		bits:  fs.Int("bits", 0, "rsa: 2048, 3072 or 4096 (default 2048); hmac: 256 to 1024, a multiple of 8 (instead of --size)"),
		curve: fs.String("curve", "", "ec: p256, p384, p521 or secp256k1 (default p256), as the token supports"),
	}
}

// run handles `keygen --type rsa|ec`, and `--type hmac --bits N` by
// turning --bits into --size; done is false when keygen's secret key path
// is to run.
func (o keyPairOpts) run(h *hsmRun, typ string, size int, label, id string, flags boolFlags) (done bool, err error) {
	var spec pkcs11.KeyPairSpec
	switch typ {
	case "rsa", "RSA":
		spec = pkcs11.BYOKKeyPairSpec(pkcs11.KeyTypeRSA)
		if *o.bits != 0 {
			spec.Bits = *o.bits
		}
		if flagSet(h.fs, "curve") {
			return true, usagef("--curve is for --type ec")
		}
	case "ec", "EC":
		spec = pkcs11.BYOKKeyPairSpec(pkcs11.KeyTypeEC)
		if *o.curve != "" {
			if spec.Curve, err = pkcs11.CurveName(*o.curve); err != nil {
				return true, usageError{err}
			}
		}
		if flagSet(h.fs, "bits") {
			return true, usagef("--bits is not for --type ec: give --curve")
		}
	default:
		if !flagSet(h.fs, "bits") {
			return false, nil
		}
		if typ != "hmac" && typ != "generic-secret" && typ != "GENERIC_SECRET" {
			return true, usagef("--bits is for --type rsa or hmac")
		}
		if flagSet(h.fs, "size") {
			return true, usagef("give --bits or --size, not both")
		}
		b := *o.bits
		if b < 256 || b > 1024 || b%8 != 0 {
			return true, usagef("--bits %d: an HMAC key for KMS is 256 to 1024 bits, a multiple of 8", b)
		}
		if err := h.fs.Set("size", fmt.Sprint(b/8)); err != nil {
			return true, err
		}
		return false, nil
	}
	if size != 0 {
		return true, usagef("--size is for secret keys: give --bits (rsa) or --curve (ec)")
	}
	spec.Label = label
	if spec.ID, err = parseHex("id", id); err != nil {
		return true, err
	}
	if spec.ID == nil {
		spec.ID = byokflow.RandomID()
	}
	for name, v := range flags {
		if flagSet(h.fs, name) {
			*specBool(&spec.KeySpec, name) = *v
		}
	}
	return true, o.generate(h, spec)
}

func (o keyPairOpts) generate(h *hsmRun, spec pkcs11.KeyPairSpec) error {
	pub, priv, err := h.tok.GenerateKeyPair(spec)
	if err != nil {
		return err
	}
	pa, err := h.tok.Attributes(pub)
	if err != nil {
		return err
	}
	ka, err := h.tok.Attributes(priv)
	if err != nil {
		return err
	}
	der, err := h.tok.PublicKeyDER(pub)
	if err != nil {
		return err
	}
	if h.json {
		return h.printJSON(struct {
			Private   pkcs11.Attrs `json:"private"`
			Public    pkcs11.Attrs `json:"public"`
			PublicKey string       `json:"public_key"`
		}{ka, pa, base64.StdEncoding.EncodeToString(der)})
	}
	what := fmt.Sprintf("RSA-%d", spec.Bits)
	if spec.Type == pkcs11.KeyTypeEC {
		what = "EC " + spec.Curve
	}
	fmt.Fprintf(h.stdout, "generated %s key pair on token %q\nprivate key: %s\n", what, h.tok.Info().Label, stableRef(h, ka))
	printAttrs(h, ka)
	fmt.Fprintf(h.stdout, "public key: %s\n", stableRef(h, pa))
	printAttrs(h, pa)
	fmt.Fprintf(h.stdout, "public_key=%s\n", base64.StdEncoding.EncodeToString(der))
	return nil
}

// wrapKeyClass is the class to narrow `trent hsm wrap --key` to: a key
// pair's two halves share their label and id (keygen sets both), and of
// a pair only the private key can be wrapped, so a reference that names
// exactly one private key and otherwise public keys means the private
// key. Anything else is left to the usual search ("" class).
func wrapKeyClass(h *hsmRun, sel string) string {
	r, err := pkcs11.ParseObjectRef(sel)
	if err != nil || r.Bare() || r.Class != "" {
		return ""
	}
	objs, err := h.tok.FindObjects(pkcs11.Filter{Label: r.Label, ID: r.ID})
	if err != nil {
		return ""
	}
	private := 0
	for _, o := range objs {
		switch o.Class {
		case "private-key":
			private++
		case "public-key":
		default:
			return ""
		}
	}
	if private != 1 {
		return ""
	}
	return "private-key"
}
