package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/trent-kms/trent/internal/migrate"
	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/postgres"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// Files of the data dir (as package server names them).
const (
	rootKeyFileName  = "root.key"
	databaseFileName = "trent.db"
)

const rootKeyUsage = `Usage:
  trent admin root-key create [token flags] [--label LABEL] [--id HEX] [--json]
  trent admin root-key show   [token flags] [--label LABEL] [--id HEX] [--json]
  trent admin migrate-root-key --data-dir DIR [--database-url URL] --to pkcs11 [token flags] [--label LABEL]

root-key create generates the HSM root key: an AES-256 key inside the token
(C_GenerateKey), sensitive, never extractable, private, not modifiable, for
encrypt and decrypt only, labelled LABEL (default trent-root-key). It refuses
a label that is taken.

root-key show opens the root key as the server does, checks it (AES-256,
sensitive, not extractable), seals and unseals a test value in the token and
prints what it found.

migrate-root-key moves a data dir from the software root key (DIR/root.key)
to the HSM root key: it re-seals every secret the store holds (key materials,
import parameters, access-key secrets, service secrets), verifies that every
sealed value opens with the HSM key, records the HSM key as the data's root
key and renames DIR/root.key to DIR/root.key.migrated. Stop every server on
the data first. If it stops (crash, Ctrl-C, HSM unreachable), run it again:
it continues where it stopped. Afterwards, take new backups, then destroy
root.key.migrated securely (shred -u): it still opens older backups.

Token flags (each has an environment variable):
  --module PATH        PKCS#11 library (TRENT_PKCS11_MODULE)
  --nss-db DIR         NSS softokn database (TRENT_NSS_DB)
  --token-label LABEL  token label (TRENT_PKCS11_TOKEN_LABEL)
  --slot ID            slot id (TRENT_PKCS11_SLOT)
  --uri URI            RFC 7512 pkcs11: URI of the token, may name the key (TRENT_PKCS11_URI)
  --pin-file FILE      file holding the user PIN (TRENT_PKCS11_PIN_FILE)
The PIN is read from --pin-file, TRENT_PKCS11_PIN, the URI's pin-source, or a
prompt on the terminal; never from the command line.
`

// runRootKeyAdmin implements `trent admin root-key` and `trent admin
// migrate-root-key` (args[0] is which).
func runRootKeyAdmin(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if args[0] == "migrate-root-key" {
		return runMigrateRootKey(ctx, args[1:], stdout, stderr)
	}
	if len(args) < 2 || args[1] == "-h" || args[1] == "--help" || args[1] == "help" {
		fmt.Fprint(stderr, rootKeyUsage)
		return 2
	}
	prefix := "trent admin root-key " + args[1]
	var run func(ctx context.Context, cfg rootkey.PKCS11Config, jsonOut bool, stdout io.Writer) error
	switch args[1] {
	case "create":
		run = rootKeyCreate
	case "show":
		run = rootKeyShow
	default:
		fmt.Fprintf(stderr, "trent admin root-key: unknown subcommand %q\n\n%s", args[1], rootKeyUsage)
		return 2
	}
	fs := flag.NewFlagSet(prefix, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var kf keyFlags
	kf.define(fs)
	jsonOut := fs.Bool("json", false, "print JSON instead of text")
	cfg, code := kf.parse(ctx, fs, prefix, args[2:], stderr)
	if code != 0 {
		return code
	}
	if err := run(ctx, cfg, *jsonOut, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 1
	}
	return 0
}

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

// parse parses args and builds the root key's config; code is the exit
// code if that failed (0 otherwise).
func (k *keyFlags) parse(ctx context.Context, fs *flag.FlagSet, prefix string, args []string, stderr io.Writer) (rootkey.PKCS11Config, int) {
	if err := refusePINArgument(args); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return rootkey.PKCS11Config{}, 2
	}
	if err := fs.Parse(args); err != nil {
		return rootkey.PKCS11Config{}, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags come as --name value)\n", prefix, fs.Arg(0))
		return rootkey.PKCS11Config{}, 2
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
		return rootkey.PKCS11Config{}, 2
	}
	tcfg.PIN = k.tf.pinSource(ctx, uri, stderr)
	tcfg.Notice = func(s string) { fmt.Fprintf(stderr, "%s: note: %s\n", prefix, s) }
	cfg := rootkey.PKCS11Config{Token: tcfg, KeyLabel: k.label, KeyID: id}
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
	return cfg, 0
}

// checkKeyURI refuses a URI naming an object that cannot be the root key.
func checkKeyURI(u *pkcs11.URI) error {
	if u != nil && u.Type != "" && u.Type != "secret-key" {
		return fmt.Errorf("the pkcs11: URI has type=%s: the root key is a secret-key", u.Type)
	}
	return nil
}

func rootKeyCreate(_ context.Context, cfg rootkey.PKCS11Config, jsonOut bool, stdout io.Writer) error {
	info, err := rootkey.CreatePKCS11Key(cfg)
	if err != nil {
		return err
	}
	if jsonOut {
		return printRootKeyJSON(stdout, info)
	}
	fmt.Fprintf(stdout, "created the root key in token %q (slot %d, serial %s)\n", info.Token.Label, info.Token.Slot, info.Token.Serial)
	printRootKey(stdout, info, cfg.Token)
	return nil
}

func rootKeyShow(_ context.Context, cfg rootkey.PKCS11Config, jsonOut bool, stdout io.Writer) error {
	cfg.CacheSize = -1
	h, err := rootkey.OpenPKCS11(cfg)
	if err != nil {
		return err
	}
	defer h.Close()
	// What the server does with it, once.
	sealed, err := h.Seal([]byte("trent root key check"), "root-key-check")
	if err == nil {
		var pt []byte
		pt, err = h.Unseal(sealed, "root-key-check")
		if err == nil && string(pt) != "trent root key check" {
			err = errors.New("the token's AES-GCM does not round-trip")
		}
	}
	if err != nil {
		return fmt.Errorf("the root key was found but sealing with it failed: %w", err)
	}
	info := h.Info()
	if jsonOut {
		return printRootKeyJSON(stdout, info)
	}
	fmt.Fprintf(stdout, "root key in token %q (slot %d, serial %s): sealed and unsealed a test value in the token\n", info.Token.Label, info.Token.Slot, info.Token.Serial)
	printRootKey(stdout, info, cfg.Token)
	return nil
}

func printRootKeyJSON(w io.Writer, info rootkey.PKCS11KeyInfo) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(info)
}

func printRootKey(w io.Writer, info rootkey.PKCS11KeyInfo, tcfg pkcs11.Config) {
	fmt.Fprintf(w, "  label:       %s\n", info.Label)
	fmt.Fprintf(w, "  id:          %s\n", info.KeyID)
	fmt.Fprintf(w, "  root key ID: %s\n", info.ID)
	if info.KCV != nil {
		fmt.Fprintf(w, "  KCV:         %s (%s)\n", info.KCV.Value, info.KCV.Method)
	}
	var attrs []string
	a := info.Attrs
	for _, b := range []struct {
		name string
		v    *bool
	}{{"token", a.Token}, {"private", a.Private}, {"sensitive", a.Sensitive}, {"extractable", a.Extractable},
		{"never_extractable", a.NeverExtractable}, {"modifiable", a.Modifiable}, {"encrypt", a.Encrypt}, {"decrypt", a.Decrypt}} {
		if b.v != nil {
			attrs = append(attrs, fmt.Sprintf("%s=%v", b.name, *b.v))
		}
	}
	fmt.Fprintf(w, "  attributes:  %s\n", strings.Join(attrs, " "))
	module := tcfg.Module
	if module == "" {
		module = "MODULE"
	}
	fmt.Fprintf(w, "start the server with: trent server --root-key '%s' --pkcs11-module %s (PIN in TRENT_PKCS11_PIN or --pin-file)\n", info.URI, module)
}

// runMigrateRootKey implements `trent admin migrate-root-key`.
func runMigrateRootKey(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const prefix = "trent admin migrate-root-key"
	fs := flag.NewFlagSet(prefix, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, rootKeyUsage, "\nFlags:\n"); fs.PrintDefaults() }
	var kf keyFlags
	kf.define(fs)
	dataDir := fs.String("data-dir", env("TRENT_DATA_DIR", DefaultDataDir), "the data dir: root.key, and trent.db unless --database-url (env TRENT_DATA_DIR)")
	dbURL := fs.String("database-url", env("TRENT_DATABASE_URL", ""), "PostgreSQL store (env TRENT_DATABASE_URL); default: the data dir's trent.db")
	to := fs.String("to", "", "the new root key's kind: pkcs11")
	cfg, code := kf.parse(ctx, fs, prefix, args, stderr)
	if code != 0 {
		return code
	}
	if *to != "pkcs11" {
		fmt.Fprintf(stderr, "%s: --to pkcs11 is required (the HSM root key is the only target)\n", prefix)
		return 2
	}
	say := func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	if err := migrateRootKey(ctx, cfg, *dataDir, *dbURL, say); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 1
	}
	return 0
}

func migrateRootKey(ctx context.Context, cfg rootkey.PKCS11Config, dataDir, dbURL string, say func(string, ...any)) error {
	dbFile := filepath.Join(dataDir, databaseFileName)
	if dbURL == "" {
		if _, err := os.Stat(dbFile); err != nil {
			return fmt.Errorf("no database in the data dir: %w", err)
		}
	}
	keyFile := filepath.Join(dataDir, rootKeyFileName)
	var from rootkey.RootKey
	switch _, err := os.Stat(keyFile); {
	case err == nil:
		soft, err := rootkey.OpenSoftware(keyFile)
		if err != nil {
			return err
		}
		from = soft
	case errors.Is(err, fs.ErrNotExist):
		say("no %s: continuing only if the data is sealed under the HSM root key already", keyFile)
	default:
		return err
	}

	// The HSM key, without an unseal cache: verification must reach the token.
	cfg.CacheSize = -1
	to, err := rootkey.OpenPKCS11(cfg)
	if err != nil {
		return err
	}
	defer to.Close()
	info := to.Info()
	say("new root key: %s, %s in token %q", info.ID, info.URI, info.Token.Label)

	var st store.Store
	var meta migrate.Meta
	if dbURL != "" {
		pg, err := postgres.Open(ctx, dbURL)
		if err != nil {
			return err
		}
		st = pg
		if meta, err = migrate.OpenPostgresMeta(ctx, dbURL); err != nil {
			st.Close()
			return err
		}
	} else {
		lite, err := sqlite.Open(dbFile)
		if err != nil {
			return err
		}
		st = lite
		if meta, err = migrate.OpenSQLiteMeta(dbFile); err != nil {
			st.Close()
			return err
		}
	}
	defer meta.Close()
	rep, err := migrate.Run(ctx, migrate.Options{Store: st, Meta: meta, From: from, To: to,
		Progress: func(s string) { say("%s", s) }})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w\n(nothing is lost: every value opens under the old or the new root key; fix the cause and run the same command again to continue)", err)
	}
	if err := meta.Scrub(ctx); err != nil {
		say("warning: could not make the database drop the replaced rows (%v): until it does, its files may still hold values sealed under the old root key", err)
	}
	say("done: %d values re-sealed, %d already under the new key, %d verified", rep.Resealed, rep.Skipped, rep.Verified)
	if from != nil {
		retired, err := migrate.RetireKeyFile(keyFile)
		if err != nil {
			return fmt.Errorf("the data is migrated, but renaming the old root key failed: %w; rename or remove %s before starting a server", err, keyFile)
		}
		say("the old root key is now %s: take new backups of the data, then destroy it securely (shred -u %s); it still opens backups taken before the migration", retired, retired)
	}
	module := cfg.Token.Module
	if module == "" {
		module = "MODULE"
	}
	say("start the server with: trent server --data-dir %s --root-key '%s' --pkcs11-module %s (PIN in TRENT_PKCS11_PIN or --pin-file)", dataDir, info.URI, module)
	return nil
}
