//go:build cgo

package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/datadir"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

func TestAdminRootKeyCreateShow(t *testing.T) {
	tf := softHSMArgs(t)
	admin := func(sub string, extra ...string) []string {
		return append(append([]string{"admin", "root-key", sub}, tf...), extra...)
	}
	info := decodeJSON[rootkey.PKCS11KeyInfo](t, mustRun(t, admin("create", "--json")...))
	a := info.Attrs
	if !strings.HasPrefix(info.ID, "pkcs11:") || info.Label != rootkey.DefaultPKCS11KeyLabel || len(info.KeyID) != 16 ||
		a.Extractable == nil || *a.Extractable || a.Sensitive == nil || !*a.Sensitive || a.Private == nil || !*a.Private {
		t.Fatalf("created %+v", info)
	}
	// The label is taken now.
	mustFail(t, 1, []string{"already has an object labelled \"trent-root-key\""}, admin("create")...)

	out := mustRun(t, admin("show")...)
	for _, want := range []string{"sealed and unsealed a test value in the token", "root key ID: " + info.ID,
		"extractable=false", "--root-key '" + info.URI + "'"} {
		if !strings.Contains(out, want) {
			t.Fatalf("show: %q lacks %q", out, want)
		}
	}
	// By URI, as the server is given it.
	uriArgs := []string{"admin", "root-key", "show", "--module", pkcs11test.SoftHSMModule, "--uri", info.URI,
		"--pin-file", tf[len(tf)-1], "--json"}
	if got := decodeJSON[rootkey.PKCS11KeyInfo](t, mustRun(t, uriArgs...)); got.ID != info.ID {
		t.Fatalf("show by URI: %s", got.ID)
	}
	// Another label, with a chosen id.
	out = mustRun(t, admin("create", "--label", "second", "--id", "0a0b")...)
	if !strings.Contains(out, "root key ID: pkcs11:0a0b") {
		t.Fatalf("create --label --id: %s", out)
	}
	// An extractable key (trent hsm keygen's default) is refused.
	mustRun(t, hsm("keygen", tf, "--label", "byok")...)
	mustFail(t, 1, []string{"it is extractable (CKA_EXTRACTABLE true)"}, admin("show", "--label", "byok")...)
	mustFail(t, 1, []string{"has no secret key with label \"nope\""}, admin("show", "--label", "nope")...)
	mustFail(t, 2, []string{"trent does not take the PIN on the command line"}, admin("show", "--pin", "1234")...)
	mustFail(t, 2, []string{"unknown subcommand"}, "admin", "root-key", "destroy")
	mustFail(t, 2, []string{"the root key is a secret-key"}, "admin", "root-key", "show", "--uri", "pkcs11:token=x;type=private")
}

// TestAdminMigrateRootKey converts a data dir that a software-rooted
// service populated, and checks that a service on the HSM root key
// decrypts every old ciphertext.
func TestAdminMigrateRootKey(t *testing.T) {
	ctx := identity.WithSystem(context.Background()) // the services run as Trent itself
	dir := t.TempDir()
	soft, err := rootkey.OpenSoftware(filepath.Join(dir, rootKeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	type ct struct{ blob, pt []byte }
	var cts []ct
	secretID, secret := accesskey.NewID(), accesskey.NewSecret()
	func() {
		st, err := sqlite.Open(filepath.Join(dir, databaseFileName))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		svc, err := kms.New(ctx, kms.Config{Store: st, RootKey: soft, Region: "us-east-1", AccountID: DefaultAccountID})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			k, err := svc.CreateKey(ctx, kms.CreateKeyInput{})
			if err != nil {
				t.Fatal(err)
			}
			pt := fmt.Appendf(nil, "plaintext %d", i)
			r, err := svc.Encrypt(ctx, k.ID, pt, nil, kms.CryptoOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cts = append(cts, ct{r.Blob, pt})
		}
		ring := accesskey.New(st, soft, DefaultAccountID)
		if err := ring.Put(ctx, secretID, secret, ring.RootARN(), "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}()

	tf := softHSMArgs(t)
	mustRun(t, append([]string{"admin", "root-key", "create"}, tf...)...)
	migrateArgs := append([]string{"admin", "migrate-root-key", "--data-dir", dir, "--to", "pkcs11"}, tf...)
	mustFail(t, 2, []string{"--to pkcs11 is required"}, migrateArgs[:4]...)
	out := mustRun(t, migrateArgs...)
	for _, want := range []string{"done: 6 values re-sealed, 0 already under the new key, 6 verified",
		"the old root key is now " + filepath.Join(dir, "root.key.migrated"), "shred -u", "--root-key 'pkcs11:token=trent-test;object=trent-root-key;type=secret-key'"} {
		if !strings.Contains(out, want) {
			t.Fatalf("migrate-root-key output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, rootKeyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("root.key is still there: %v", err)
	}
	// Run again: it finds the work done, without the old key.
	out = mustRun(t, migrateArgs...)
	if !strings.Contains(out, "already records pkcs11:") || !strings.Contains(out, "done: 0 values re-sealed, 6 already under the new key, 6 verified") {
		t.Fatalf("second run:\n%s", out)
	}

	// A value sealed under the old key after the migration (as a server
	// that kept running would have written): the run without the old key
	// says how to give it, and the run with --from-key re-seals it.
	straggler(t, dir, soft)
	mustFail(t, 1, []string{"key-material/", "the old root key was not given: give it with --from-key FILE",
		"give --from-key " + filepath.Join(dir, "root.key.migrated")}, migrateArgs...)
	out = mustRun(t, append(migrateArgs, "--from-key", filepath.Join(dir, "root.key.migrated"))...)
	if !strings.Contains(out, "done: 1 values re-sealed, 6 already under the new key, 7 verified") {
		t.Fatalf("run with --from-key:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "root.key.migrated")); err != nil {
		t.Fatalf("--from-key's file was retired: %v", err)
	}

	hsmKey, err := rootkey.OpenPKCS11(rootkey.PKCS11Config{Token: pkcs11.Config{Module: pkcs11test.SoftHSMModule,
		TokenLabel: pkcs11test.SoftHSMLabel, PIN: func(pkcs11.TokenInfo) (string, error) { return pkcs11test.SoftHSMPIN, nil }}})
	if err != nil {
		t.Fatal(err)
	}
	defer hsmKey.Close()
	st, err := sqlite.Open(filepath.Join(dir, databaseFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := rootkey.CheckKind(ctx, st, soft); !errors.Is(err, rootkey.ErrWrongRootKey) {
		t.Fatalf("CheckKind with the old key: %v", err)
	}
	if err := rootkey.CheckKind(ctx, st, hsmKey); err != nil {
		t.Fatal(err)
	}
	svc, err := kms.New(ctx, kms.Config{Store: st, RootKey: hsmKey, Region: "us-east-1", AccountID: DefaultAccountID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cts {
		r, err := svc.Decrypt(ctx, "", c.blob, nil, kms.CryptoOptions{})
		if err != nil || !bytes.Equal(r.Plaintext, c.pt) {
			t.Fatalf("Decrypt = %q, %v", r.Plaintext, err)
		}
	}
	if got, err := accesskey.New(st, hsmKey, DefaultAccountID).Secret(ctx, secretID); err != nil || string(got) != secret {
		t.Fatalf("access key secret = %q, %v", got, err)
	}
}

// straggler stores a key whose material is sealed under rk, as a server
// still running on rk would have.
func straggler(t *testing.T, dir string, rk rootkey.RootKey) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dir, databaseFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, mat := "00000000-0000-4000-8000-00000000abcd", strings.Repeat("ab", 32)
	sealed, err := rk.Seal(bytes.Repeat([]byte{7}, 32), rootkey.MaterialContext(id, mat))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateKey(context.Background(), &store.Key{ID: id, CreatedAt: time.Now(), KeySpec: "SYMMETRIC_DEFAULT",
		KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", State: "Enabled",
		Materials: []store.Material{{ID: mat, Sealed: sealed, State: "CURRENT"}}}); err != nil {
		t.Fatal(err)
	}
}

func TestAdminMigrateRootKeyRefuses(t *testing.T) {
	tf := softHSMArgs(t)
	// No database in the data dir.
	mustFail(t, 1, []string{"no database in the data dir"},
		append([]string{"admin", "migrate-root-key", "--data-dir", t.TempDir(), "--to", "pkcs11"}, tf...)...)
	// No root key in the token.
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, databaseFileName))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	mustFail(t, 1, []string{"create the root key with `trent admin root-key create`"},
		append([]string{"admin", "migrate-root-key", "--data-dir", dir, "--to", "pkcs11"}, tf...)...)
	// A server holds the data dir.
	lock, err := datadir.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	mustFail(t, 1, []string{"the data dir is in use", filepath.Join(dir, "lock") + " is held by process", "stop it first"},
		append([]string{"admin", "migrate-root-key", "--data-dir", dir, "--to", "pkcs11"}, tf...)...)
}
