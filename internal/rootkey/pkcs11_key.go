// Finding the HSM root key on the token and checking its attributes.

package rootkey

import (
	"fmt"

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
