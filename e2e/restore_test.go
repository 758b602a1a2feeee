package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/server"
)

// The restore drill of docs/deployment.md: back up what must be backed up
// (the database, the root key, the root credentials), lose the server,
// restore onto a new one, and check that it decrypts what the old one
// encrypted and has every key, alias and state as of the backup.

// noPool keeps the servers from generating RSA wrapping keys in the
// background, which the drill does not need.
var noPool = []string{"--wrapping-key-pool", "0"}

// drillState is what the drill creates before the backup.
type drillState struct {
	enabled, disabled string
	ciphertext        []byte // under alias/drill, with an encryption context
	dataKey           []byte // GenerateDataKey's CiphertextBlob
	dataKeyPlain      []byte
}

var drillContext = map[string]string{"purpose": "restore drill"}

func populate(t *testing.T, c *kms.Client) drillState {
	t.Helper()
	ctx := context.Background()
	var s drillState
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("drill"),
		Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("ops")}}})
	if err != nil {
		t.Fatal(err)
	}
	s.enabled = aws.ToString(k.KeyMetadata.KeyId)
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/drill"), TargetKeyId: &s.enabled}); err != nil {
		t.Fatal(err)
	}
	remember(t, []byte("the crown jewels"))
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/drill"), Plaintext: []byte("the crown jewels"), EncryptionContext: drillContext})
	if err != nil {
		t.Fatal(err)
	}
	s.ciphertext = enc.CiphertextBlob
	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &s.enabled, KeySpec: types.DataKeySpecAes256})
	if err != nil {
		t.Fatal(err)
	}
	remember(t, dk.Plaintext)
	s.dataKey, s.dataKeyPlain = dk.CiphertextBlob, dk.Plaintext
	k, err = c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	s.disabled = aws.ToString(k.KeyMetadata.KeyId)
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &s.disabled}); err != nil {
		t.Fatal(err)
	}
	return s
}

// verify checks a restored server against the state at backup time; gone
// is a key created after the backup, which must not be there.
func verify(t *testing.T, c *kms.Client, s drillState, gone string) {
	t.Helper()
	ctx := context.Background()
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: s.ciphertext, EncryptionContext: drillContext})
	if err != nil || string(dec.Plaintext) != "the crown jewels" || aws.ToString(dec.KeyId) != "arn:aws:kms:"+region+":"+accountID+":key/"+s.enabled {
		t.Fatalf("Decrypt of an old ciphertext after restore: %+v, %v", dec, err)
	}
	dk, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: s.dataKey})
	if err != nil || string(dk.Plaintext) != string(s.dataKeyPlain) {
		t.Fatalf("Decrypt of an old data key after restore: %v", err)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/drill")})
	if err != nil || aws.ToString(d.KeyMetadata.KeyId) != s.enabled || aws.ToString(d.KeyMetadata.Description) != "drill" {
		t.Fatalf("alias/drill after restore: %+v, %v", d, err)
	}
	tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &s.enabled})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].TagValue) != "ops" {
		t.Fatalf("tags after restore: %+v, %v", tags, err)
	}
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &s.disabled})
	if err != nil || d.KeyMetadata.KeyState != types.KeyStateDisabled {
		t.Fatalf("disabled key after restore: %+v, %v", d, err)
	}
	var ids []string
	for pg := kms.NewListKeysPaginator(c, &kms.ListKeysInput{}); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			ids = append(ids, aws.ToString(k.KeyId))
		}
	}
	want := []string{s.enabled, s.disabled}
	sort.Strings(want)
	sort.Strings(ids)
	if len(ids) != 2 || ids[0] != want[0] || ids[1] != want[1] {
		t.Fatalf("keys after restore = %v, want %v (and not %s, created after the backup)", ids, want, gone)
	}
	// The restored server works for new requests too.
	if _, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/drill"), Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
}

// copyFile copies src to dst with mode perm; a missing src is skipped
// when optional.
func copyFile(t *testing.T, src, dst string, perm os.FileMode, optional bool) {
	t.Helper()
	in, err := os.Open(src)
	if optional && os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreDrillEmbedded backs up a node of the embedded store by
// stopping it and copying its data directory's database, root key and
// root credentials, loses the original, and restores onto a new directory.
func TestRestoreDrillEmbedded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := startProcessWith(t, dir, nil, noPool...)
	state := populate(t, p.client())
	p.stop(t)

	backup := t.TempDir()
	for _, f := range []struct {
		name     string
		optional bool
	}{
		{server.DatabaseFile, false},
		{server.DatabaseFile + "-wal", true}, // empty after a clean stop, but copy it if there
		{server.RootKeyFile, false},
		{"root-credentials", false},
		{server.AuditFile, false},
	} {
		copyFile(t, filepath.Join(dir, f.name), filepath.Join(backup, f.name), 0o600, f.optional)
	}

	// Life goes on after the backup, then the node is lost.
	p = startProcessWith(t, dir, nil, noPool...)
	after, err := p.client().CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	p.stop(t)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}

	restored := t.TempDir()
	for _, name := range []string{server.DatabaseFile, server.DatabaseFile + "-wal", server.RootKeyFile, "root-credentials", server.AuditFile} {
		copyFile(t, filepath.Join(backup, name), filepath.Join(restored, name), 0o600, true)
	}
	p = startProcessWith(t, restored, nil, noPool...)
	verify(t, p.client(), state, aws.ToString(after.KeyMetadata.KeyId))
}

// TestRestoreDrillPostgres backs up a PostgreSQL deployment while it
// serves — pg_dump of the database and a copy of the root key — restores
// the dump into a new database with pg_restore and starts a node on it
// with the copied root key and the fleet's root credentials.
func TestRestoreDrillPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	ctx := context.Background()
	dsn, _ := postgresServer(t)
	pgDump, pgRestore := pgTool(t, "pg_dump"), pgTool(t, "pg_restore")
	db := newDatabase(t, dsn)
	f := newFleet(t, db)
	n := f.start("primary")
	state := populate(t, n.client())

	dump := filepath.Join(t.TempDir(), "trent.dump")
	if out, err := exec.Command(pgDump, "--format=custom", "--no-owner", "--file="+dump, "--dbname="+db).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	rootKeyCopy := filepath.Join(t.TempDir(), server.RootKeyFile)
	copyFile(t, filepath.Join(n.DataDir, server.RootKeyFile), rootKeyCopy, 0o600, false)

	after, err := n.client().CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	n.kill() // the deployment is lost

	restoredDB := newDatabase(t, dsn)
	if out, err := exec.Command(pgRestore, "--no-owner", "--exit-on-error", "--dbname="+restoredDB, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	key, err := os.ReadFile(rootKeyCopy)
	if err != nil {
		t.Fatal(err)
	}
	g := &fleet{t: t, dsn: restoredDB, rootKey: key, env: f.env}
	r := g.start("restored")
	verify(t, r.client(), state, aws.ToString(after.KeyMetadata.KeyId))
}

// pgTool finds a PostgreSQL client program as scripts/pg.sh finds the
// server: next to pg_ctl on PATH, else in the newest
// /usr/lib/postgresql/*/bin, else on PATH.
func pgTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if c := filepath.Join(filepath.Dir(real), name); isExecutable(c) {
				return c
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if c := filepath.Join(d, name); isExecutable(c) {
			return c
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		skipWithoutPostgres(t, fmt.Errorf("%w (%s)", errNoPostgres, name))
	}
	return p
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&0o111 != 0
}

// versionOf returns the major version in /usr/lib/postgresql/<v>/bin.
func versionOf(dir string) int {
	n := 0
	for _, c := range filepath.Base(filepath.Dir(dir)) {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}
