//go:build cgo

package migrate

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// openHSM makes a SoftHSM2 token with a root key and opens it without an
// unseal cache (the migration verifies against the token itself).
func openHSM(t *testing.T) *rootkey.HSM {
	t.Helper()
	mod := pkcs11test.TempSoftHSM(t)
	tc := pkcs11.Config{Module: mod, TokenLabel: pkcs11test.SoftHSMLabel,
		PIN: func(pkcs11.TokenInfo) (string, error) { return pkcs11test.SoftHSMPIN, nil }}
	if _, err := rootkey.CreatePKCS11Key(rootkey.PKCS11Config{Token: tc}); err != nil {
		t.Fatal(err)
	}
	h, err := rootkey.OpenPKCS11(rootkey.PKCS11Config{Token: tc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// TestMigrateToHSM converts a populated software-rooted store to an HSM
// root key, interrupted halfway and resumed, and then checks the root of
// trust: nothing in the data dir opens without the token.
func TestMigrateToHSM(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "root.key")
	soft, err := rootkey.OpenSoftware(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	hsm := openHSM(t)
	f := populate(t, dir, soft, 8)

	crash := errors.New("crash")
	if _, err := runMigration(t, f, soft, hsm, func(done int) error {
		if done == 4 {
			return crash
		}
		return nil
	}); !errors.Is(err, crash) {
		t.Fatalf("interrupted run: %v", err)
	}
	// Half the keys are under the HSM key, half under the software key.
	var hsmSealed, softSealed int
	for _, s := range allSealed(t, filepath.Join(dir, "trent.db")) {
		if rootkey.SealedByHSM(s.sealed) {
			hsmSealed++
		} else {
			softSealed++
		}
	}
	if hsmSealed == 0 || softSealed == 0 {
		t.Fatalf("after the interruption: %d values under the HSM key, %d under the software key", hsmSealed, softSealed)
	}
	rep, err := runMigration(t, f, soft, hsm, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != hsmSealed || rep.Resealed != softSealed || rep.Verified != hsmSealed+softSealed {
		t.Fatalf("resumed run: %+v after %d/%d", rep, hsmSealed, softSealed)
	}
	if _, err := RetireKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}

	// Every old ciphertext decrypts with a service on the HSM root key.
	checkMigrated(t, f, hsm)
	checkRootOfTrust(t, f, filepath.Join(dir, "root.key.migrated"))

	// A server started with the software key fails clearly.
	st, err := sqlite.Open(filepath.Join(dir, "trent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = rootkey.CheckKind(context.Background(), st, soft)
	if !errors.Is(err, rootkey.ErrWrongRootKey) || !strings.Contains(err.Error(), "this data is sealed under an HSM root key") ||
		!strings.Contains(err.Error(), "start with --root-key pkcs11:") {
		t.Fatalf("CheckKind with the software key: %v", err)
	}
	// As does a service on it: the service secrets do not unseal.
	if _, err := kmsNew(st, soft); err == nil {
		t.Fatal("kms.New with the software key on migrated data")
	}
}

// checkRootOfTrust checks the data dir after a migration: no file holds a
// key material, a service secret's or an access key's secret in any
// encoding, nor any value sealed under the old key; every sealed value the
// database holds is in the HSM format and none opens with the old software
// key (the file renamed root.key.migrated).
func checkRootOfTrust(t *testing.T, f *fixture, oldKeyFile string) {
	t.Helper()
	raw, err := os.ReadFile(oldKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	old, err := rootkey.NewSoftware(raw)
	if err != nil {
		t.Fatal(err)
	}
	stored := allSealed(t, filepath.Join(f.dir, "trent.db"))
	if len(stored) < len(f.sealed) {
		t.Fatalf("%d sealed values in the database, %d before the migration", len(stored), len(f.sealed))
	}
	for _, s := range stored {
		if !rootkey.SealedByHSM(s.sealed) {
			t.Errorf("%s is not in the HSM format", s.context)
		}
		if _, err := old.Unseal(s.sealed, s.context); !errors.Is(err, rootkey.ErrUnseal) {
			t.Errorf("%s opens with the old software key: %v", s.context, err)
		}
		// Nor with the software format forced onto it.
		if _, err := old.Unseal(append([]byte{1}, s.sealed[1:]...), s.context); !errors.Is(err, rootkey.ErrUnseal) {
			t.Errorf("%s opens with the old software key as software format: %v", s.context, err)
		}
	}

	var secrets [][]byte
	secrets = append(secrets, f.materials...)
	for _, s := range f.secrets {
		secrets = append(secrets, []byte(s))
	}
	var files [][]byte
	var names []string
	err = filepath.WalkDir(f.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == oldKeyFile {
			return err
		}
		b, err := os.ReadFile(path)
		files, names = append(files, b), append(names, path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no files in the data dir")
	}
	for i, b := range files {
		for _, s := range secrets {
			for _, enc := range [][]byte{s, []byte(hex.EncodeToString(s)), []byte(base64.StdEncoding.EncodeToString(s))} {
				if bytes.Contains(b, enc) {
					t.Errorf("%s contains a secret in clear", names[i])
				}
			}
		}
		// Values sealed under the old key, which it would still open,
		// are gone from the files too (replaced rows, WAL, free pages).
		for _, s := range f.sealed {
			if bytes.Contains(b, s) {
				t.Errorf("%s still holds a value sealed under the old root key", names[i])
			}
		}
	}
	t.Logf("root of trust: %d sealed values, %d files checked (%s)", len(stored), len(files), strings.Join(names, ", "))
}
