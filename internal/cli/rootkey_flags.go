// The flags that select the root key: the token flags, --label and --id.

package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/rootkey"
)

// keyFlags are the token flags of trent hsm and the root key's label and id.
type keyFlags struct {
	tf    tokenFlags
	label string
	id    string
}

func (k *keyFlags) define(fs *flag.FlagSet) {
	k.tf.define(fs)
	fs.StringVar(&k.label, "label", rootkey.DefaultPKCS11KeyLabel, "the root key's CKA_LABEL")
	fs.StringVar(&k.id, "id", "", "the root key's CKA_ID (hex); create: 16 random bytes by default")
}

// parse parses args and builds the root key's config. When ok is false
// the command stops with exit code code: 0 after printing the help (-h,
// to stdout), 2 for a mistake (reported on stderr).
func (k *keyFlags) parse(ctx context.Context, fs *flag.FlagSet, prefix string, args []string, stdout, stderr io.Writer) (cfg rootkey.PKCS11Config, code int, ok bool) {
	if err := refusePINArgument(args); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return rootkey.PKCS11Config{}, 2, false
	}
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return rootkey.PKCS11Config{}, code, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags come as --name value)\n", prefix, fs.Arg(0))
		return rootkey.PKCS11Config{}, 2, false
	}
	tcfg, uri, err := k.tf.config()
	if err == nil {
		err = checkKeyURI(uri)
	}
	var id []byte
	if err == nil {
		id, err = parseHex("id", k.id)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return rootkey.PKCS11Config{}, 2, false
	}
	tcfg.PIN = k.tf.pinSource(ctx, uri, stderr)
	tcfg.Notice = func(s string) { fmt.Fprintf(stderr, "%s: note: %s\n", prefix, s) }
	cfg = rootkey.PKCS11Config{Token: tcfg, KeyLabel: k.label, KeyID: id}
	// A key named in the URI counts unless given by flag.
	if uri != nil && uri.Object != "" && !flagSet(fs, "label") {
		cfg.KeyLabel = uri.Object
	}
	if uri != nil && len(uri.ID) > 0 && !flagSet(fs, "id") {
		cfg.KeyID = uri.ID
		if uri.Object == "" && !flagSet(fs, "label") {
			cfg.KeyLabel = ""
		}
	}
	return cfg, 0, true
}

// checkKeyURI refuses a URI naming an object that cannot be the root key.
func checkKeyURI(u *pkcs11.URI) error {
	if u != nil && u.Type != "" && u.Type != "secret-key" {
		return fmt.Errorf("the pkcs11: URI has type=%s: the root key is a secret-key", u.Type)
	}
	return nil
}
