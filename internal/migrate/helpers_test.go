package migrate

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

const (
	testRegion  = "eu-west-1"
	testAccount = "123456789012"
)

// fixture is a store populated by the real services under one root key,
// and what a client kept: ciphertexts, pending import tokens, secrets.
type fixture struct {
	dir string
	// open opens the store: SQLite in dir unless set (postgres_test.go).
	open func(t *testing.T) store.Store

	ciphertexts []sealedData
	// pending is a key of origin EXTERNAL with outstanding import
	// parameters: its token and the material wrapped for it.
	pendingKey              string
	pendingToken, pendingWr []byte
	pendingMaterial         []byte
	// materials are the plaintext key materials (imported, and those
	// kms generated, read back with the old root key).
	materials [][]byte
	// secrets are the access keys' secrets.
	secrets map[string]string
	// sealed are every sealed value the store held before the migration.
	sealed   [][]byte
	imported []byte
	keys     int
}

type sealedData struct {
	blob, plaintext []byte
	ec              map[string]string
}

func newService(t *testing.T, st store.Store, rk rootkey.RootKey) *kms.Service {
	t.Helper()
	svc, err := kms.New(context.Background(), kms.Config{Store: st, RootKey: rk, Region: testRegion, AccountID: testAccount})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// wrap fetches import parameters for key id and wraps material.
func wrap(t *testing.T, svc *kms.Service, id string, material []byte) (token, wrapped []byte) {
	t.Helper()
	p, err := svc.GetParametersForImport(identity.WithSystem(context.Background()), id, "RSAES_OAEP_SHA_256", "RSA_2048")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p.Token, wrapped
}

// populate fills a store in dir (trent.db) with nKeys keys of origin
// AWS_KMS, two of origin EXTERNAL (one imported, one with outstanding
// parameters), access keys of the root and of a user, and ciphertexts.
func populate(t *testing.T, dir string, rk rootkey.RootKey, nKeys int) *fixture {
	t.Helper()
	f := &fixture{dir: dir, secrets: map[string]string{},
		open: func(t *testing.T) store.Store {
			t.Helper()
			st, err := sqlite.Open(filepath.Join(dir, "trent.db"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}}
	f.populate(t, rk, nKeys)
	f.readBack(t, rk, nKeys)
	return f
}

// populate fills f's store.
func (f *fixture) populate(t *testing.T, rk rootkey.RootKey, nKeys int) {
	t.Helper()
	ctx := identity.WithSystem(context.Background()) // the services run as Trent itself
	st := f.open(t)
	defer st.Close()
	if err := rootkey.CheckKind(ctx, st, rk); err != nil {
		t.Fatal(err)
	}
	svc := newService(t, st, rk)
	encrypt := func(id string, i int) {
		ec := map[string]string{"n": fmt.Sprint(i)}
		pt := fmt.Appendf(nil, "secret %d under %s", i, id)
		r, err := svc.Encrypt(ctx, id, pt, ec, kms.CryptoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		f.ciphertexts = append(f.ciphertexts, sealedData{r.Blob, pt, ec})
	}
	for i := range nKeys {
		k, err := svc.CreateKey(ctx, kms.CreateKeyInput{Description: fmt.Sprint("key ", i)})
		if err != nil {
			t.Fatal(err)
		}
		encrypt(k.ID, i)
		dk, err := svc.GenerateDataKey(ctx, k.ID, 32, nil, true, kms.CryptoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		f.ciphertexts = append(f.ciphertexts, sealedData{dk.Blob, dk.Plaintext, nil})
		if i == 1 {
			if err := svc.DisableKey(ctx, k.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	// An imported key.
	ext, err := svc.CreateKey(ctx, kms.CreateKeyInput{Origin: kms.OriginExternal})
	if err != nil {
		t.Fatal(err)
	}
	material := make([]byte, 32)
	rand.Read(material)
	token, wrapped := wrap(t, svc, ext.ID, material)
	if _, _, err := svc.ImportKeyMaterial(ctx, ext.ID, token, wrapped, kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire}); err != nil {
		t.Fatal(err)
	}
	encrypt(ext.ID, 1000)
	f.imported = material
	// A key with outstanding import parameters: their private key is
	// sealed in the key's record, and the token is MACed with a service
	// secret; both must survive the migration.
	pending, err := svc.CreateKey(ctx, kms.CreateKeyInput{Origin: kms.OriginExternal})
	if err != nil {
		t.Fatal(err)
	}
	f.pendingKey = pending.ID
	f.pendingMaterial = make([]byte, 32)
	rand.Read(f.pendingMaterial)
	f.pendingToken, f.pendingWr = wrap(t, svc, pending.ID, f.pendingMaterial)
	f.keys = nKeys + 2

	// Access keys.
	ring := accesskey.New(st, rk, testAccount)
	now := time.Now()
	rootID, rootSecret := accesskey.NewID(), accesskey.NewSecret()
	if err := ring.Put(ctx, rootID, rootSecret, ring.RootARN(), "", now); err != nil {
		t.Fatal(err)
	}
	f.secrets[rootID] = rootSecret
	if err := st.CreateUser(ctx, store.User{Name: "alice", UserID: "AIDAALICE0000000000", Path: "/",
		ARN: "arn:aws:iam::" + testAccount + ":user/alice", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		id, secret := accesskey.NewID(), accesskey.NewSecret()
		if err := ring.Put(ctx, id, secret, "arn:aws:iam::"+testAccount+":user/alice", "alice", now); err != nil {
			t.Fatal(err)
		}
		// The key belongs to this alice (her UserID), not a later one.
		c, err := st.GetCredential(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		c.UserID = "AIDAALICE0000000000"
		if err := st.PutCredential(ctx, c); err != nil {
			t.Fatal(err)
		}
		f.secrets[id] = secret
	}
}

// readBack reads what the SQLite file holds: every sealed value and every
// key material's plaintext.
func (f *fixture) readBack(t *testing.T, rk rootkey.RootKey, nKeys int) {
	t.Helper()
	for _, s := range allSealed(t, filepath.Join(f.dir, "trent.db")) {
		f.sealed = append(f.sealed, s.sealed)
		if strings.HasPrefix(s.context, "key-material/") {
			pt, err := rk.Unseal(s.sealed, s.context)
			if err != nil {
				t.Fatalf("%s: %v", s.context, err)
			}
			f.materials = append(f.materials, pt)
		}
	}
	if len(f.materials) != nKeys+1 || !containsBytes(f.materials, f.imported) {
		t.Fatalf("%d materials read back, want %d with the imported one", len(f.materials), nKeys+1)
	}
}

func containsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

// storedValue is one sealed value as the database file holds it.
type storedValue struct {
	context string
	sealed  []byte
}

// allSealed reads every sealed value from the database file with SQL,
// independently of package store and of the migration's listing: every
// key document's materials and import parameters, every credential row,
// every meta row that is a sealed secret.
func allSealed(t *testing.T, path string) []storedValue {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []storedValue
	rows, err := db.Query(`SELECT id, doc FROM keys`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			t.Fatal(err)
		}
		var k store.Key
		if err := json.Unmarshal([]byte(doc), &k); err != nil {
			t.Fatal(err)
		}
		for c, s := range sealedOf(&k) {
			out = append(out, storedValue{c, s})
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = db.Query(`SELECT access_key_id, sealed_secret FROM credentials`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var s []byte
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, storedValue{rootkey.AccessKeySecretContext(id), s})
	}
	rows, err = db.Query(`SELECT name, value FROM meta`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var v []byte
		if err := rows.Scan(&name, &v); err != nil {
			t.Fatal(err)
		}
		for _, s := range rootkey.ServiceSecrets() {
			if name == s {
				out = append(out, storedValue{name, v})
			}
		}
	}
	return out
}

// checkMigrated opens the store with the new root key and uses everything
// the old one sealed: every ciphertext decrypts, the pending import
// completes with its old token, every access key's secret is served, and
// new keys work.
func checkMigrated(t *testing.T, f *fixture, rk rootkey.RootKey) {
	t.Helper()
	ctx := identity.WithSystem(context.Background()) // the services run as Trent itself
	st := f.open(t)
	defer st.Close()
	if err := rootkey.CheckKind(ctx, st, rk); err != nil {
		t.Fatal(err)
	}
	svc := newService(t, st, rk)
	// The disabled key's ciphertexts are refused as Disabled (which needs
	// no material); enabled, they must decrypt.
	if _, err := svc.Decrypt(ctx, "", f.ciphertexts[2].blob, f.ciphertexts[2].ec, kms.CryptoOptions{}); !errors.Is(err, kms.ErrDisabled) {
		t.Fatalf("ciphertext of the disabled key: %v", err)
	}
	keys, _, err := svc.ListKeys(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.State == kms.StateDisabled {
			if err := svc.EnableKey(ctx, k.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, c := range f.ciphertexts {
		r, err := svc.Decrypt(ctx, "", c.blob, c.ec, kms.CryptoOptions{})
		if err != nil {
			t.Fatalf("ciphertext %d: %v", i, err)
		}
		if !bytes.Equal(r.Plaintext, c.plaintext) {
			t.Fatalf("ciphertext %d decrypts to %q", i, r.Plaintext)
		}
	}
	if _, _, err := svc.ImportKeyMaterial(ctx, f.pendingKey, f.pendingToken, f.pendingWr,
		kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire}); err != nil {
		t.Fatalf("import with parameters issued before the migration: %v", err)
	}
	ring := accesskey.New(st, rk, testAccount)
	for id, secret := range f.secrets {
		got, err := ring.Secret(ctx, id)
		if err != nil || string(got) != secret {
			t.Fatalf("access key %s: %q, %v", id, got, err)
		}
	}
	k, err := svc.CreateKey(ctx, kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.Encrypt(ctx, k.ID, []byte("new"), nil, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := svc.Decrypt(ctx, "", r.Blob, nil, kms.CryptoOptions{}); err != nil || string(d.Plaintext) != "new" {
		t.Fatalf("new key: %q, %v", d.Plaintext, err)
	}
}

// runMigration opens the store in f.dir and migrates.
func runMigration(t *testing.T, f *fixture, from, to rootkey.RootKey, afterKey func(int) error) (Report, error) {
	t.Helper()
	ctx := identity.WithSystem(context.Background()) // the services run as Trent itself
	st := f.open(t)
	defer st.Close()
	var lines []string
	rep, err := Run(ctx, Options{Store: st, From: from, To: to, afterKey: afterKey,
		Progress: func(s string) { lines = append(lines, s) }})
	if err == nil {
		if err := st.(store.Migrator).Scrub(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("migration: %+v, %v\n%s", rep, err, strings.Join(lines, "\n"))
	return rep, err
}

// kmsNew starts a kms service, returning its error.
func kmsNew(st store.Store, rk rootkey.RootKey) (*kms.Service, error) {
	return kms.New(context.Background(), kms.Config{Store: st, RootKey: rk, Region: testRegion, AccountID: testAccount})
}
