package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/trent-kms/trent/internal/pkcs11"
)

const hsmUsage = `Usage: trent hsm <subcommand> [flags]

PKCS#11 tools for the HSM side of bring-your-own-key.

Subcommands:
  slots          list slots and tokens (slot id, label, serial, model, firmware, flags)
  mechanisms     list the token's mechanisms
  objects        list objects (class, key type, size, label, id, handle; --json adds each one's URI)
  attrs          show every common attribute of an object
  set-attrs      set boolean attributes and the label (--new-label) of an object
  import-pubkey  import KMS's RSA wrapping public key (ImportParameters.zip,
                 get-parameters-for-import JSON, DER, base64 or PEM)
  keygen         generate an AES key, a generic secret for HMAC, or an RSA or EC key pair
  wrap           wrap a key under the wrapping key with a KMS wrapping algorithm
  kcv            compute a key check value inside the token
  destroy        destroy an object

Every subcommand takes the token flags below, and --json for JSON output.
Objects (--object, --key, --wrapping-key) are named by label:NAME, id:HEX,
a pkcs11: URI with object=/id=/type=, or a plain label: these name the same
object in every session. A bare handle number does not on every module
(SoftHSM2 numbers objects anew in each session; Luna and NSS keep them), so
destroy, set-attrs and wrap act on one only when --label or --id confirms
it, or you answer yes on a terminal; without a terminal they refuse.

Token flags (each has an environment variable):
  --module PATH        PKCS#11 library (TRENT_PKCS11_MODULE)
  --nss-db DIR         NSS softokn database (DIR or sql:DIR); implies libsoftokn3.so (TRENT_NSS_DB)
  --token-label LABEL  token label (TRENT_PKCS11_TOKEN_LABEL)
  --slot ID            slot id (TRENT_PKCS11_SLOT)
  --uri URI            RFC 7512 pkcs11: URI (TRENT_PKCS11_URI)
  --pin-file FILE      file holding the user PIN (TRENT_PKCS11_PIN_FILE)
The PIN is read from --pin-file, TRENT_PKCS11_PIN, the URI's pin-source, or a
prompt on the terminal; never from the command line.

Run 'trent hsm <subcommand> -h' for its flags.
`

// hsmCommand is one trent hsm subcommand.
type hsmCommand struct {
	name string
	// flags defines the subcommand's own flags and returns the function
	// that runs it once the token is open (nil token for slots).
	flags func(fs *flag.FlagSet) func(h *hsmRun) error
	// noToken: the subcommand lists the module's slots, opening no token.
	noToken bool
}

var hsmCommands = []hsmCommand{
	{name: "slots", flags: slotsFlags, noToken: true},
	{name: "mechanisms", flags: mechanismsFlags},
	{name: "objects", flags: objectsFlags},
	{name: "attrs", flags: attrsFlags},
	{name: "set-attrs", flags: setAttrsFlags},
	{name: "import-pubkey", flags: importPubkeyFlags},
	{name: "keygen", flags: keygenFlags},
	{name: "wrap", flags: wrapFlags},
	{name: "kcv", flags: kcvFlags},
	{name: "destroy", flags: destroyFlags},
}

// hsmRun is what a subcommand works with.
type hsmRun struct {
	fs     *flag.FlagSet
	tok    *pkcs11.Token
	cfg    pkcs11.Config
	uri    *pkcs11.URI
	json   bool
	stdout io.Writer
	stderr io.Writer
}

func runHSM(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, hsmUsage)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, hsmUsage)
		return 0
	}
	var cmd *hsmCommand
	for i := range hsmCommands {
		if hsmCommands[i].name == args[0] {
			cmd = &hsmCommands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "trent hsm: unknown subcommand %q\n\n%s", args[0], hsmUsage)
		return 2
	}
	prefix := "trent hsm " + cmd.name
	if err := refusePINArgument(args[1:]); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 2
	}
	fs := flag.NewFlagSet(prefix, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf tokenFlags
	tf.define(fs)
	h := &hsmRun{fs: fs, stdout: stdout, stderr: stderr}
	fs.BoolVar(&h.json, "json", false, "print JSON instead of text")
	run := cmd.flags(fs)
	if code, ok := parseFlags(fs, args[1:], stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags come as --name value)\n", prefix, fs.Arg(0))
		return 2
	}
	cfg, uri, err := tf.config()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 2
	}
	cfg.Notice = func(s string) { fmt.Fprintf(stderr, "%s: note: %s\n", prefix, s) }
	h.cfg, h.uri = cfg, uri
	if !cmd.noToken {
		cfg.PIN = tf.pinSource(ctx, uri, stderr)
		tok, err := pkcs11.Open(cfg)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
			return 1
		}
		defer tok.Close()
		h.tok = tok
	}
	if err := run(h); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	return 0
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// refusePINArgument turns a --pin flag into a clear refusal.
func refusePINArgument(args []string) error {
	for _, a := range args {
		if a == "--" {
			return nil
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && (name == "pin" || name == "p") {
			return usagef("trent does not take the PIN on the command line (it would show in ps and in shell history): use --pin-file FILE, the TRENT_PKCS11_PIN environment variable, or type it at the prompt")
		}
	}
	return nil
}

// tokenFlags are the flags that select the module and the token.
type tokenFlags struct {
	module, nssDB, label, slot, uri, pinFile string
}

func (t *tokenFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&t.module, "module", env("TRENT_PKCS11_MODULE", ""), "PKCS#11 library path (env TRENT_PKCS11_MODULE)")
	fs.StringVar(&t.nssDB, "nss-db", env("TRENT_NSS_DB", ""), "NSS softokn database directory, DIR or sql:DIR (env TRENT_NSS_DB)")
	fs.StringVar(&t.label, "token-label", env("TRENT_PKCS11_TOKEN_LABEL", ""), "token label (env TRENT_PKCS11_TOKEN_LABEL)")
	fs.StringVar(&t.slot, "slot", env("TRENT_PKCS11_SLOT", ""), "slot id (env TRENT_PKCS11_SLOT)")
	fs.StringVar(&t.uri, "uri", env("TRENT_PKCS11_URI", ""), "RFC 7512 pkcs11: URI of the token (env TRENT_PKCS11_URI)")
	fs.StringVar(&t.pinFile, "pin-file", env("TRENT_PKCS11_PIN_FILE", ""), "file holding the user PIN (env TRENT_PKCS11_PIN_FILE)")
}

// config builds the pkcs11.Config; the URI is also returned for its
// object and PIN attributes.
func (t *tokenFlags) config() (pkcs11.Config, *pkcs11.URI, error) {
	db, err := nssDir(t.nssDB)
	if err != nil {
		return pkcs11.Config{}, nil, err
	}
	cfg := pkcs11.Config{Module: t.module, NSSDB: db, TokenLabel: t.label}
	if t.slot != "" {
		n, err := strconv.ParseUint(t.slot, 10, 0)
		if err != nil {
			return cfg, nil, fmt.Errorf("--slot %q is not a slot id (a decimal number; see trent hsm slots)", t.slot)
		}
		id := uint(n)
		cfg.Slot = &id
	}
	var uri *pkcs11.URI
	if t.uri != "" {
		if uri, err = pkcs11.ParseURI(t.uri); err != nil {
			return cfg, nil, err
		}
		if uri.PINValue != "" {
			return cfg, nil, errors.New("the pkcs11: URI holds a pin-value: trent does not take the PIN on the command line; use pin-source=FILE, --pin-file, TRENT_PKCS11_PIN or the prompt")
		}
		cfg.URI = uri
	}
	return cfg, uri, nil
}

// nssDir takes an NSS database as certutil names it, DIR or sql:DIR, and
// returns the directory: Trent opens it as sql: itself. The legacy dbm:
// format is refused: NSS softokn opens only sql: databases for PKCS#11.
func nssDir(s string) (string, error) {
	if d, ok := strings.CutPrefix(s, "sql:"); ok {
		return d, nil
	}
	if d, ok := strings.CutPrefix(s, "dbm:"); ok {
		return "", fmt.Errorf("--nss-db %q is a legacy dbm: database: convert it with certutil --upgrade-merge, or create a new one with certutil -N -d sql:%s", s, d)
	}
	return s, nil
}

// printJSON writes v as indented JSON.
func (h *hsmRun) printJSON(v any) error {
	enc := json.NewEncoder(h.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseHex reads a hex flag value (CKA_ID); "" is nil.
func parseHex(flagName, s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		return nil, usagef("--%s %q is not hex", flagName, s)
	}
	return b, nil
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
