package cli

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// slots: what lunacm's slot list shows.
func slotsFlags(fs *flag.FlagSet) func(*hsmRun) error {
	return func(h *hsmRun) error {
		slots, err := pkcs11.Slots(h.cfg)
		if err != nil {
			return err
		}
		if h.json {
			return h.printJSON(slots)
		}
		for i, s := range slots {
			if i > 0 {
				fmt.Fprintln(h.stdout)
			}
			w := tabwriter.NewWriter(h.stdout, 0, 0, 1, ' ', 0)
			fmt.Fprintf(w, "Slot Id ->\t%d\n", s.ID)
			if t := s.Token; t != nil {
				fmt.Fprintf(w, "Label ->\t%s\n", t.Label)
				fmt.Fprintf(w, "Serial Number ->\t%s\n", t.Serial)
				fmt.Fprintf(w, "Model ->\t%s\n", t.Model)
				fmt.Fprintf(w, "Manufacturer ->\t%s\n", t.Manufacturer)
				fmt.Fprintf(w, "Firmware Version ->\t%s\n", t.Firmware)
				fmt.Fprintf(w, "Hardware Version ->\t%s\n", t.Hardware)
				fmt.Fprintf(w, "Token Flags ->\t%s\n", strings.Join(t.Flags, " "))
			} else {
				fmt.Fprintf(w, "Token ->\t(no token present)\n")
			}
			fmt.Fprintf(w, "Slot Description ->\t%s\n", s.Description)
			fmt.Fprintf(w, "Slot Flags ->\t%s\n", strings.Join(s.Flags, " "))
			_ = w.Flush()
		}
		return nil
	}
}

func mechanismsFlags(fs *flag.FlagSet) func(*hsmRun) error {
	return func(h *hsmRun) error {
		ms, err := h.tok.Mechanisms()
		if err != nil {
			return err
		}
		if h.json {
			return h.printJSON(ms)
		}
		w := tabwriter.NewWriter(h.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "MECHANISM\tTYPE\tKEY SIZES\tFLAGS")
		for _, m := range ms {
			fmt.Fprintf(w, "%s\t0x%X\t%d-%d\t%s\n", m.Name, m.Type, m.MinKeySize, m.MaxKeySize, strings.Join(m.Flags, ","))
		}
		return w.Flush()
	}
}

// objects: what Luna's cmu list shows.
func objectsFlags(fs *flag.FlagSet) func(*hsmRun) error {
	class := fs.String("class", "", "only objects of this class: public-key, private-key, secret-key, certificate, data")
	label := fs.String("label", "", "only objects with this label")
	id := fs.String("id", "", "only objects with this CKA_ID (hex)")
	return func(h *hsmRun) error {
		f := pkcs11.Filter{Class: *class, Label: *label}
		var err error
		if f.ID, err = parseHex("id", *id); err != nil {
			return err
		}
		if u := h.uri; u != nil { // a URI's object attributes filter too
			if f.Label == "" {
				f.Label = u.Object
			}
			if f.ID == nil {
				f.ID = u.ID
			}
			if f.Class == "" {
				f.Class = u.Type
			}
		}
		objs, err := h.tok.FindObjects(f)
		if err != nil {
			return err
		}
		info := h.tok.Info()
		if h.json {
			out := make([]listedObject, len(objs))
			for i, o := range objs {
				out[i] = listedObject{o, o.URI(info).String()}
			}
			return h.printJSON(out)
		}
		w := tabwriter.NewWriter(h.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "CLASS\tKEY TYPE\tSIZE\tLABEL\tID\tHANDLE")
		for _, o := range objs {
			size := ""
			if o.Bits > 0 {
				size = fmt.Sprintf("%d bits", o.Bits)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\n", o.Class, dash(o.KeyType), dash(size), dash(o.Label), dash(o.ID.String()), o.Handle)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(h.stdout, "%d object(s) on token %q; name them by label:NAME, id:HEX or pkcs11: URI (--json shows each one's URI): handles may change from one session to the next (SoftHSM2 renumbers)\n", len(objs), info.Label)
		return nil
	}
}

// listedObject is an object of trent hsm objects --json, with its URI.
type listedObject struct {
	pkcs11.Object
	URI string `json:"uri"`
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// attrs: the attribute set of Luna's cmu getattribute, as name=value lines.
func attrsFlags(fs *flag.FlagSet) func(*hsmRun) error {
	sel := objectFlag(fs, "the object (a bare handle number is read as it is)")
	return func(h *hsmRun) error {
		o, err := resolveObject(h.tok, "object", orURIObject(*sel, h.uri), "")
		if err != nil {
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

// printAttrs prints attributes as name=value lines; uri= is the stable
// reference, handle= is valid in this session only on some modules.
func printAttrs(h *hsmRun, a pkcs11.Attrs) {
	line := func(name string, v any) { fmt.Fprintf(h.stdout, "%s=%v\n", name, v) }
	o := pkcs11.Object{Class: a.Class, ID: a.ID}
	if a.Label != nil {
		o.Label = *a.Label
	}
	line("uri", o.URI(h.tok.Info()))
	line("class", a.Class)
	for _, b := range []struct {
		name string
		v    *bool
	}{{"token", a.Token}, {"private", a.Private}} {
		if b.v != nil {
			line(b.name, *b.v)
		}
	}
	if a.Label != nil {
		line("label", *a.Label)
	}
	if a.KeyType != "" {
		line("key_type", a.KeyType)
	}
	line("id", a.ID)
	for _, b := range []struct {
		name string
		v    *bool
	}{{"encrypt", a.Encrypt}, {"decrypt", a.Decrypt}, {"wrap", a.Wrap}, {"unwrap", a.Unwrap}, {"sign", a.Sign},
		{"verify", a.Verify}, {"derive", a.Derive}, {"sensitive", a.Sensitive}, {"extractable", a.Extractable},
		{"always_sensitive", a.AlwaysSensitive}, {"never_extractable", a.NeverExtractable},
		{"modifiable", a.Modifiable}, {"local", a.Local}} {
		if b.v != nil {
			line(b.name, *b.v)
		}
	}
	if a.Modulus != nil {
		line("modulus", a.Modulus)
	}
	if a.ModulusBits != nil {
		line("modulus_bits", *a.ModulusBits)
	}
	if a.PublicExponent != nil {
		line("public_exponent", a.PublicExponent)
	}
	if a.ValueLen != nil {
		line("value_len", *a.ValueLen)
	}
	if a.CheckValue != nil {
		line("check_value", a.CheckValue)
	}
	line("handle", a.Handle)
}

// kcvResult is the JSON of trent hsm kcv.
type kcvResult struct {
	Handle pkcs11.Handle `json:"handle"`
	URI    string        `json:"uri"`
	pkcs11.KCV
}

func kcvFlags(fs *flag.FlagSet) func(*hsmRun) error {
	sel := objectFlag(fs, "the secret key (a bare handle number is read as it is)")
	return func(h *hsmRun) error {
		o, err := resolveObject(h.tok, "object", orURIObject(*sel, h.uri), "secret-key")
		if err != nil {
			return err
		}
		kcv, err := h.tok.CheckValue(o.Handle)
		if err != nil {
			return err
		}
		uri := o.URI(h.tok.Info()).String()
		if h.json {
			return h.printJSON(kcvResult{Handle: o.Handle, URI: uri, KCV: kcv})
		}
		fmt.Fprintf(h.stdout, "kcv=%s method=%s object=%s\n", kcv.Value, kcv.Method, uri)
		return nil
	}
}
