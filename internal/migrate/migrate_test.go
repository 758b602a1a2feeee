package migrate

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

func TestMain(m *testing.M) {
	code := pkcs11test.Main(m)
	stopPostgres()
	os.Exit(code)
}

// The migration logic does not depend on the kind of root key: these
// tests move data between two software keys, so that they run in every
// build; migrate_hsm_test.go moves it to SoftHSM2.

func TestMigrateSoftware(t *testing.T) {
	dir := t.TempDir()
	from, _ := rootkey.OpenSoftware(filepath.Join(dir, "root.key"))
	to, _ := rootkey.OpenSoftware(filepath.Join(t.TempDir(), "new.key"))
	f := populate(t, dir, from, 3)
	rep, err := runMigration(t, f, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 3 + 1 materials, 1 import parameter set, 3 access keys, 2 secrets.
	if rep.Keys != f.keys || rep.Credentials != 3 || rep.Resealed != 10 || rep.Skipped != 0 || rep.Verified != 10 || rep.AlreadyDone {
		t.Fatalf("report %+v", rep)
	}
	for _, s := range allSealed(t, filepath.Join(dir, "trent.db")) {
		if _, err := from.Unseal(s.sealed, s.context); !errors.Is(err, rootkey.ErrUnseal) {
			t.Fatalf("%s still unseals under the old key: %v", s.context, err)
		}
	}
	checkMigrated(t, f, to)

	// Running again finds it done.
	rep, err = runMigration(t, f, from, to, nil)
	if err != nil || !rep.AlreadyDone || rep.Resealed != 0 || rep.Verified != 11 {
		// 11: the new key made by checkMigrated; the pending import
		// replaced its parameters with material.
		t.Fatalf("second run: %+v, %v", rep, err)
	}
	// The old key no longer opens the data.
	st, err := sqlite.Open(filepath.Join(dir, "trent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := rootkey.CheckKind(context.Background(), st, from); !errors.Is(err, rootkey.ErrWrongRootKey) {
		t.Fatalf("CheckKind with the old key: %v", err)
	}
}

func TestMigrateResumes(t *testing.T) {
	dir := t.TempDir()
	from, _ := rootkey.OpenSoftware(filepath.Join(dir, "root.key"))
	to, _ := rootkey.OpenSoftware(filepath.Join(t.TempDir(), "new.key"))
	f := populate(t, dir, from, 6)
	crash := errors.New("crash")
	_, err := runMigration(t, f, from, to, func(done int) error {
		if done == 3 {
			return crash
		}
		return nil
	})
	if !errors.Is(err, crash) {
		t.Fatalf("interrupted run: %v", err)
	}
	// Meanwhile no server starts on the data, with either key.
	st, err := sqlite.Open(filepath.Join(dir, "trent.db"))
	if err != nil {
		t.Fatal(err)
	}
	// The old key still opens the service secrets (re-sealed last): the
	// recorded kind stops it; the new key does not open them yet.
	for rk, want := range map[rootkey.RootKey]string{from: "has started and not finished", to: "if a migration to this root key was started"} {
		err := rootkey.CheckKind(context.Background(), st, rk)
		if !errors.Is(err, rootkey.ErrWrongRootKey) || !strings.Contains(err.Error(), want) ||
			!strings.Contains(err.Error(), "trent admin migrate-root-key") {
			t.Fatalf("CheckKind during the migration: %v", err)
		}
	}
	st.Close()
	// A migration to yet another key is refused.
	other, _ := rootkey.OpenSoftware(filepath.Join(t.TempDir(), "other.key"))
	if _, err := runMigration(t, f, from, other, nil); err == nil || !strings.Contains(err.Error(), "another root key") {
		t.Fatalf("migration to a third key: %v", err)
	}

	rep, err := runMigration(t, f, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 6 + 1 materials, 1 import parameter set, 3 access keys, 2 secrets.
	if rep.Skipped != 3 || rep.Resealed != 10 || rep.Verified != 13 {
		t.Fatalf("resumed run: %+v", rep)
	}
	checkMigrated(t, f, to)
}

func TestMigrateRefuses(t *testing.T) {
	dir := t.TempDir()
	from, _ := rootkey.OpenSoftware(filepath.Join(dir, "root.key"))
	to, _ := rootkey.OpenSoftware(filepath.Join(t.TempDir(), "new.key"))
	wrong, _ := rootkey.OpenSoftware(filepath.Join(t.TempDir(), "wrong.key"))
	f := populate(t, dir, from, 1)
	// The wrong old key: the recorded kind names another key.
	if _, err := runMigration(t, f, wrong, to, nil); err == nil || !strings.Contains(err.Error(), "records its root key as "+from.ID()) {
		t.Fatalf("wrong old key: %v", err)
	}
	// The wrong old key on a store that never recorded its kind.
	f2 := populate(t, t.TempDir(), from, 1)
	if err := func() error {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(f2.dir, "trent.db"))
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.Exec(`DELETE FROM meta WHERE name = ?`, rootkey.KindMetaName)
		return err
	}(); err != nil {
		t.Fatal(err)
	}
	if _, err := runMigration(t, f2, wrong, to, nil); err == nil || !strings.Contains(err.Error(), "does not open this data") {
		t.Fatalf("wrong old key, no kind recorded: %v", err)
	}
	// No old key, nothing migrated yet.
	if _, err := runMigration(t, f, nil, to, nil); !errors.Is(err, ErrNoOldKey) || !strings.Contains(err.Error(), "give it with --from-key FILE") {
		t.Fatalf("no old key: %v", err)
	}
	if _, err := runMigration(t, f, from, from, nil); err == nil || !strings.Contains(err.Error(), "are the same") {
		t.Fatalf("same key: %v", err)
	}
	// The data is untouched: the old key still opens everything.
	for _, s := range allSealed(t, filepath.Join(dir, "trent.db")) {
		if _, err := from.Unseal(s.sealed, s.context); err != nil {
			t.Fatalf("%s: %v", s.context, err)
		}
	}
}

func TestRetireKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "root.key")
	for i, want := range []string{path + ".migrated", path + ".migrated-"} {
		if err := os.WriteFile(path, []byte{byte(i)}, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := RetireKeyFile(path)
		if err != nil || !strings.HasPrefix(got, want) {
			t.Fatalf("RetireKeyFile = %q, %v", got, err)
		}
		if b, err := os.ReadFile(got); err != nil || b[0] != byte(i) {
			t.Fatalf("%s: %v", got, err)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s still exists", path)
	}
}
