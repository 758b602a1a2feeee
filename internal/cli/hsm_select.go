package cli

import (
	"fmt"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// resolveObject finds the one object a selector names (see
// pkcs11.ObjectRef), for commands that only read: a bare handle is taken
// as it is. class, if set, narrows a search by label or id, and is
// checked for a handle.
func resolveObject(tok *pkcs11.Token, flagName, sel, class string) (pkcs11.Object, error) {
	if sel == "" {
		return pkcs11.Object{}, usagef("--%s is required: label:NAME, id:HEX or a pkcs11: URI (list objects with trent hsm objects)", flagName)
	}
	r, err := pkcs11.ParseObjectRef(sel)
	if err != nil {
		return pkcs11.Object{}, usagef("--%s: %v", flagName, err)
	}
	o, err := tok.FindObject(r, class)
	if err != nil {
		return o, fmt.Errorf("--%s %q: %w", flagName, sel, err)
	}
	return o, nil
}

// orURIObject uses the --uri's object attributes when no selector is given.
func orURIObject(sel string, u *pkcs11.URI) string {
	if sel == "" && u != nil && u.HasObject() {
		return u.String()
	}
	return sel
}

// objectFlag defines --object with --handle as its older name.
func objectFlag(fs interface {
	StringVar(p *string, name, value, usage string)
}, what string) *string {
	var sel string
	fs.StringVar(&sel, "object", "", what+": label:NAME, id:HEX, a pkcs11: URI or a plain label (trent hsm objects lists them)")
	fs.StringVar(&sel, "handle", "", "same as --object (a bare handle number is taken only where noted)")
	return &sel
}
