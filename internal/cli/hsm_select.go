package cli

import (
	"fmt"
	"strings"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// resolveObject finds the one object a selector names: a handle number,
// label:NAME, id:HEX, a pkcs11: URI (object, id, type) or a plain label.
// class, if set, narrows a search by label or id (it is not applied to a
// handle: the operation then says what is wrong with the object).
func resolveObject(tok *pkcs11.Token, flagName, sel, class string) (pkcs11.Handle, error) {
	if sel == "" {
		return 0, usagef("--%s is required: a handle, label:NAME, id:HEX or a pkcs11: URI (list objects with trent hsm objects)", flagName)
	}
	f := pkcs11.Filter{Class: class}
	switch {
	case isDigits(sel):
		var h uint64
		if _, err := fmt.Sscan(sel, &h); err != nil {
			return 0, usagef("--%s %q: %v", flagName, sel, err)
		}
		// The handle must be one the session sees.
		objs, err := tok.FindObjects(pkcs11.Filter{})
		if err != nil {
			return 0, err
		}
		for _, o := range objs {
			if o.Handle == pkcs11.Handle(h) {
				return o.Handle, nil
			}
		}
		return 0, fmt.Errorf("--%s %d: token %q has no object with this handle (list them with trent hsm objects; a private object needs a login)", flagName, h, tok.Info().Label)
	case strings.HasPrefix(sel, "label:"):
		f.Label = strings.TrimPrefix(sel, "label:")
	case strings.HasPrefix(sel, "id:"):
		id, err := parseHex(flagName, strings.TrimPrefix(sel, "id:"))
		if err != nil {
			return 0, err
		}
		f.ID = id
	case strings.HasPrefix(strings.ToLower(sel), "pkcs11:"):
		u, err := pkcs11.ParseURI(sel)
		if err != nil {
			return 0, usageError{err}
		}
		if !u.HasObject() {
			return 0, usagef("--%s %q names no object (object=, id= or type=)", flagName, sel)
		}
		if err := sameToken(u, tok.Info()); err != nil {
			return 0, err
		}
		f.Label, f.ID = u.Object, u.ID
		if u.Type != "" {
			f.Class = u.Type
		}
	default:
		f.Label = sel
	}
	objs, err := tok.FindObjects(f)
	if err != nil {
		return 0, err
	}
	switch len(objs) {
	case 0:
		what := "no object"
		if f.Class != "" {
			what = "no " + f.Class
		}
		return 0, fmt.Errorf("--%s %q: %s on token %q matches (a private object needs a login; list objects with trent hsm objects)", flagName, sel, what, tok.Info().Label)
	case 1:
		return objs[0].Handle, nil
	}
	var hs []string
	for _, o := range objs {
		hs = append(hs, fmt.Sprintf("%d (%s %s)", o.Handle, o.KeyType, o.Class))
	}
	return 0, fmt.Errorf("--%s %q: %d objects match, handles %s: give the handle", flagName, sel, len(objs), strings.Join(hs, ", "))
}

// sameToken checks an object URI's token attributes against the open token.
func sameToken(u *pkcs11.URI, info pkcs11.TokenInfo) error {
	for _, c := range [][3]string{{"token", u.Token, info.Label}, {"serial", u.Serial, info.Serial},
		{"model", u.Model, info.Model}, {"manufacturer", u.Manufacturer, info.Manufacturer}} {
		if c[1] != "" && c[1] != c[2] {
			return fmt.Errorf("the object URI names %s=%q but the open token has %q: select that token with --uri or --token-label", c[0], c[1], c[2])
		}
	}
	return nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
