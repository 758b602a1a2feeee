package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/trent-kms/trent/internal/rootkey"
)

// Files of the data dir (as package server names them).
const (
	rootKeyFileName  = "root.key"
	databaseFileName = "trent.db"
)

const rootKeyUsage = `Usage:
  trent admin root-key create [token flags] [--label LABEL] [--id HEX] [--json]
  trent admin root-key show   [token flags] [--label LABEL] [--id HEX] [--json]
  trent admin migrate-root-key --data-dir DIR [--database-url URL] [--from-key FILE] --to pkcs11 [token flags] [--label LABEL]

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
key and renames DIR/root.key to DIR/root.key.migrated. The old key is
DIR/root.key unless --from-key names its file (e.g. DIR/root.key.migrated,
to re-seal values left under it after an earlier run). Stop every server on
the data first: it refuses while a server holds DIR/lock. With a shared
PostgreSQL store (--database-url), nodes still on the old root key refuse
writes from the moment the migration starts; restart each with the new
--root-key afterwards. If it stops (crash, Ctrl-C, HSM unreachable), run it
again: it continues where it stopped. Afterwards, take new backups, then
destroy root.key.migrated securely (shred -u): it still opens older backups.

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
	cfg, code, ok := kf.parse(ctx, fs, prefix, args[2:], stdout, stderr)
	if !ok {
		return code
	}
	if err := run(ctx, cfg, *jsonOut, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 1
	}
	return 0
}
