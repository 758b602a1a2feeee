// trent admin migrate-root-key: from the software root key to the HSM.

package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/trent-kms/trent/internal/datadir"
	"github.com/trent-kms/trent/internal/migrate"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/postgres"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// runMigrateRootKey implements `trent admin migrate-root-key`.
func runMigrateRootKey(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const prefix = "trent admin migrate-root-key"
	fs := flag.NewFlagSet(prefix, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), rootKeyUsage, "\nFlags:\n"); fs.PrintDefaults() }
	var kf keyFlags
	kf.define(fs)
	dataDir := fs.String("data-dir", env("TRENT_DATA_DIR", DefaultDataDir), "the data dir: root.key, and trent.db unless --database-url (env TRENT_DATA_DIR)")
	dbURL := fs.String("database-url", env("TRENT_DATABASE_URL", ""), "PostgreSQL store (env TRENT_DATABASE_URL); default: the data dir's trent.db")
	fromKey := fs.String("from-key", "", "the old (software) root key file; default: the data dir's root.key")
	to := fs.String("to", "", "the new root key's kind: pkcs11")
	cfg, code, ok := kf.parse(ctx, fs, prefix, args, stdout, stderr)
	if !ok {
		return code
	}
	if *to != "pkcs11" {
		fmt.Fprintf(stderr, "%s: --to pkcs11 is required (the HSM root key is the only target)\n", prefix)
		return 2
	}
	say := func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	if err := migrateRootKey(ctx, cfg, migrateDirs{dataDir: *dataDir, dbURL: *dbURL, fromKey: *fromKey}, say); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 1
	}
	return 0
}

// migrateDirs says where the data and the old root key are.
type migrateDirs struct {
	dataDir, dbURL string
	// fromKey is --from-key: the old root key file; "" for the data dir's
	// root.key, which is retired (renamed) once the data is migrated.
	fromKey string
}

func migrateRootKey(ctx context.Context, cfg rootkey.PKCS11Config, d migrateDirs, say func(string, ...any)) error {
	dbFile := filepath.Join(d.dataDir, databaseFileName)
	if d.dbURL == "" {
		if _, err := os.Stat(dbFile); err != nil {
			return fmt.Errorf("no database in the data dir: %w", err)
		}
	}
	// No server may use the data dir meanwhile: it would seal new secrets
	// under the old root key.
	if _, err := os.Stat(d.dataDir); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	lock, err := datadir.Lock(d.dataDir)
	if err != nil {
		return err
	}
	defer lock.Close()

	from, keyFile, err := openOldRootKey(d, say)
	if err != nil {
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
	opt := migrate.Options{From: from, To: to, Progress: func(s string) { say("%s", s) }}
	if d.dbURL != "" {
		if st, err = postgres.Open(ctx, d.dbURL); err != nil {
			return err
		}
		// Other nodes may share the database: give them time to see the
		// migration and fence themselves (rootkey.Fence).
		opt.FenceWait = rootkey.FenceWait
	} else if st, err = sqlite.Open(dbFile); err != nil {
		return err
	}
	defer st.Close()
	opt.Store = st
	rep, err := migrate.Run(ctx, opt)
	if errors.Is(err, migrate.ErrNoOldKey) {
		if m, _ := filepath.Glob(keyFile + ".migrated*"); len(m) > 0 {
			err = fmt.Errorf("%w\n(an earlier run retired the old root key as %s: give --from-key %s)", err, m[0], m[0])
		}
	}
	if err != nil {
		return fmt.Errorf("%w\n(nothing is lost: every value opens under the old or the new root key; fix the cause and run the same command again to continue)", err)
	}
	if err := st.(store.Migrator).Scrub(ctx); err != nil {
		say("warning: could not make the database drop the replaced rows (%v): until it does, its files may still hold values sealed under the old root key", err)
	}
	say("done: %d values re-sealed, %d already under the new key, %d verified", rep.Resealed, rep.Skipped, rep.Verified)
	if from != nil && d.fromKey == "" {
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
	start := fmt.Sprintf("trent server --data-dir %s --root-key '%s' --pkcs11-module %s (PIN in TRENT_PKCS11_PIN or --pin-file)", d.dataDir, info.URI, module)
	if d.dbURL != "" {
		say("roll the nodes: restart every node on this database, one at a time, with --root-key '%s' --pkcs11-module %s; until it is restarted, a node still on the old root key refuses writes (KMSInternalException) and keeps serving what it can read", info.URI, module)
		return nil
	}
	say("start the server with: %s", start)
	return nil
}

// openOldRootKey opens the old root key: --from-key, or the data dir's
// root.key. It returns nil (and says so) if there is none, which is fine
// only if every value is already sealed under the new key.
func openOldRootKey(d migrateDirs, say func(string, ...any)) (rootkey.RootKey, string, error) {
	keyFile := d.fromKey
	if keyFile == "" {
		keyFile = filepath.Join(d.dataDir, rootKeyFileName)
	}
	switch _, err := os.Stat(keyFile); {
	case err == nil:
		soft, err := rootkey.OpenSoftware(keyFile)
		if err != nil {
			return nil, "", err
		}
		return soft, keyFile, nil
	case errors.Is(err, fs.ErrNotExist) && d.fromKey != "":
		return nil, "", fmt.Errorf("--from-key: %w", err)
	case errors.Is(err, fs.ErrNotExist):
		hint := ""
		if m, _ := filepath.Glob(keyFile + ".migrated*"); len(m) > 0 {
			hint = fmt.Sprintf(" (an earlier run retired it as %s: if values remain sealed under it, give --from-key %s)", m[0], m[0])
		}
		say("no %s%s: continuing only if the data is sealed under the HSM root key already", keyFile, hint)
		return nil, keyFile, nil
	default:
		return nil, "", err
	}
}
