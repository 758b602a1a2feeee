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
