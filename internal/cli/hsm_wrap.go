package cli

import (
	"flag"
	"fmt"
	"strings"

	"github.com/trent-kms/trent/internal/byokflow"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// wrapResult is the JSON of trent hsm wrap.
type wrapResult struct {
	Key         string     `json:"key"`
	WrappingKey string     `json:"wrapping_key"`
	Algorithm   string     `json:"algorithm"`
	Out         string     `json:"out"`
	Bytes       int        `json:"bytes"`
	KCV         pkcs11.Hex `json:"kcv,omitempty"`
	KCVMethod   string     `json:"kcv_method,omitempty"`
}

func wrapFlags(fs *flag.FlagSet) func(*hsmRun) error {
	key := fs.String("key", "", "the key to wrap: label:NAME, id:HEX or pkcs11: URI (a bare handle number only with --label or --id)")
	label := fs.String("label", "", "the label the key must have (confirms a bare handle number)")
	id := fs.String("id", "", "the CKA_ID (hex) the key must have (confirms a bare handle number)")
	wrapping := fs.String("wrapping-key", "", "KMS's wrapping public key in the token (see import-pubkey): label:NAME, id:HEX or pkcs11: URI")
	alg := fs.String("algorithm", "", "KMS wrapping algorithm: "+strings.Join(pkcs11.Algorithms, ", "))
	out := fs.String("out", "", "file to write the wrapped key material to (KMS's EncryptedKeyMaterial)")
	return func(h *hsmRun) error {
		if *alg == "" || *out == "" {
			return usagef("--algorithm and --out are required")
		}
		want, wantID, err := confirmFlags(h, *label, *id)
		if err != nil {
			return err
		}
		k, err := h.findObject("key", *key, wrapKeyClass(h, *key), want, wantID, "wrap", "confirm it with --label or --id")
		if err != nil {
			return err
		}
		w, err := h.findObject("wrapping-key", *wrapping, "public-key", nil, nil, "wrap under", "name it by label, id or URI")
		if err != nil {
			return err
		}
		fmt.Fprintf(h.stderr, "trent hsm wrap: wrapping %s under %s\n", k.Describe(), w.Describe())
		wrapped, err := h.tok.Wrap(k.Handle, w.Handle, *alg)
		if err != nil {
			return err
		}
		if err := byokflow.WriteFileAtomic(*out, wrapped); err != nil {
			return err
		}
		info := h.tok.Info()
		r := wrapResult{Key: k.URI(info).String(), WrappingKey: w.URI(info).String(), Algorithm: *alg, Out: *out, Bytes: len(wrapped)}
		if kcv, err := h.tok.CheckValue(k.Handle); err == nil {
			r.KCV, r.KCVMethod = kcv.Value, kcv.Method
		}
		if h.json {
			return h.printJSON(r)
		}
		fmt.Fprintf(h.stdout, "wrapped %s with %s: %d bytes written to %s\n", r.Key, *alg, len(wrapped), *out)
		if r.KCV != nil {
			fmt.Fprintf(h.stdout, "kcv=%s method=%s (the HSM's check value, for your records: KMS shows none; to prove what KMS holds, decrypt in KMS a ciphertext made with this key, or let trent byok import prove it by reimporting)\n", r.KCV, r.KCVMethod)
		}
		return nil
	}
}

func destroyFlags(fs *flag.FlagSet) func(*hsmRun) error {
	sel := objectFlag(fs, "the object to destroy (a bare handle number only with --label or --id, or a yes on the terminal)")
	label := fs.String("label", "", "the label the object must have (confirms a bare handle number)")
	id := fs.String("id", "", "the CKA_ID (hex) the object must have (confirms a bare handle number)")
	return func(h *hsmRun) error {
		want, wantID, err := confirmFlags(h, *label, *id)
		if err != nil {
			return err
		}
		o, err := h.findObject("object", orURIObject(*sel, h.uri), "", want, wantID, "destroy", "confirm it with --label or --id")
		if err != nil {
			return err
		}
		if err := h.tok.DestroyObject(o.Handle); err != nil {
			return err
		}
		if h.json {
			return h.printJSON(struct {
				Destroyed pkcs11.Object `json:"destroyed"`
				URI       string        `json:"uri"`
			}{o, o.URI(h.tok.Info()).String()})
		}
		fmt.Fprintf(h.stdout, "destroyed %s on token %q\n", o.Describe(), h.tok.Info().Label)
		return nil
	}
}
