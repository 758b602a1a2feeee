package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
	"github.com/trent-kms/trent/internal/server"
)

// lockTestHSMKey makes a SoftHSM2 token holding a root key (trent admin
// root-key create) and returns the server flags that select it and the
// environment with its PIN.
func lockTestHSMKey(t *testing.T) (module string, serverArgs, env []string) {
	t.Helper()
	module = pkcs11test.TempSoftHSM(t) // sets SOFTHSM2_CONF, which the processes inherit
	env = []string{"TRENT_PKCS11_PIN=" + pkcs11test.SoftHSMPIN}
	trentMustRun(t, env, "admin", "root-key", "create", "--module", module, "--token-label", pkcs11test.SoftHSMLabel)
	uri := "pkcs11:token=" + pkcs11test.SoftHSMLabel + ";object=trent-root-key"
	return module, []string{"--root-key", uri, "--pkcs11-module", module}, env
}

// trentMustRun runs a trent command that must succeed and returns its output.
func trentMustRun(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, err := runTrentCmd(t, env, args...)
	if err != nil {
		t.Fatalf("trent %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func runTrentCmd(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, trentBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestMigrateRefusedWhileServerRuns is issue 11 item 2 on the embedded
// store: trent admin migrate-root-key on a data dir a server is using must
// refuse (naming the server's PID) rather than migrate under it, which left
// a key created meanwhile sealed under the retired key. Once the server is
// stopped the migration runs, and the server on the HSM key serves every
// key, including one created just before.
func TestMigrateRefusedWhileServerRuns(t *testing.T) {
	module, hsmArgs, env := lockTestHSMKey(t)
	ctx := context.Background()
	dir := t.TempDir()
	p := startProcessWith(t, dir, nil, "--wrapping-key-pool", "0")
	c := p.client()
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}

	migrate := []string{"admin", "migrate-root-key", "--data-dir", dir, "--to", "pkcs11", "--module", module,
		"--token-label", pkcs11test.SoftHSMLabel}
	out, err := runTrentCmd(t, env, migrate...)
	pid := strconv.Itoa(p.cmd.Process.Pid)
	if err == nil || !strings.Contains(out, "the data dir is in use") || !strings.Contains(out, "held by process "+pid) {
		t.Fatalf("migrate-root-key while server %s runs: %v\n%s", pid, err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, server.RootKeyFile)); err != nil {
		t.Fatalf("the refused migration touched root.key: %v", err)
	}
	// The server keeps working, and keys it creates are migrated later.
	k2, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	p.stop(t)

	trentMustRun(t, env, migrate...)
	p = startProcessWith(t, dir, env, append(hsmArgs, "--wrapping-key-pool", "0")...)
	c = p.client()
	for _, id := range []*string{k.KeyMetadata.KeyId, k2.KeyMetadata.KeyId} {
		if _, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")}); err != nil {
			t.Fatalf("Encrypt with %s after the migration: %v", *id, err)
		}
	}
}

// TestFencingPostgres is issue 11 item 2 with nodes sharing PostgreSQL: a
// node still on the old root key after the migration refuses writes (so no
// key is sealed under the retired key), and serves again once restarted
// with the HSM key.
func TestFencingPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and two servers")
	}
	ctx := context.Background()
	dsn, _ := postgresServer(t)
	f := newFleet(t, newDatabase(t, dsn))
	module, hsmArgs, env := lockTestHSMKey(t)
	// B caches access keys for long, as a node does between two requests
	// of a client: it goes on authenticating requests after the migration,
	// so what stops its writes must be the fence.
	a, b := f.start("A"), f.start("B", "--cache-ttl", "1h")
	if _, err := b.client().ListKeys(ctx, &kms.ListKeysInput{}); err != nil {
		t.Fatal(err)
	}
	before, err := a.client().CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	a.stop(t)

	// The migration runs from a data dir of its own holding the fleet's
	// software root key, while B keeps running.
	mdir := t.TempDir()
	if err := os.WriteFile(filepath.Join(mdir, server.RootKeyFile), f.rootKey, 0o600); err != nil {
		t.Fatal(err)
	}
	out := trentMustRun(t, env, "admin", "migrate-root-key", "--data-dir", mdir, "--database-url", f.dsn, "--to", "pkcs11",
		"--module", module, "--token-label", pkcs11test.SoftHSMLabel)
	if !strings.Contains(out, "roll the nodes") {
		t.Fatalf("the migration does not say how to roll the nodes:\n%s", out)
	}

	// B is fenced: it may not seal anything under the old key.
	cb := b.client()
	if _, err := cb.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("on the old key")}); errorCode(err) != "KMSInternalException" {
		t.Fatalf("CreateKey on a node still on the old root key: %v (code %q), want KMSInternalException", err, errorCode(err))
	}
	if !b.logged("root key no longer seals this data", 5*time.Second) {
		t.Fatalf("B's CreateKey did not fail on the fence; log:\n%s", b.log.String())
	}
	b.stop(t)

	// Rolled onto the HSM key, B serves the old key and new ones.
	nb := startProcessWith(t, b.DataDir, append(f.env, env...),
		append([]string{"--database-url", f.dsn, "--wrapping-key-pool", "0"}, hsmArgs...)...)
	cb = (&node{process: nb, name: "B"}).client()
	k, err := cb.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []*string{before.KeyMetadata.KeyId, k.KeyMetadata.KeyId} {
		if _, err := cb.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")}); err != nil {
			t.Fatalf("Encrypt with %s on the rolled node: %v", *id, err)
		}
	}
}
