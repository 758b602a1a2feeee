package accesskey

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

func newKeyring(t *testing.T) (*Keyring, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rk, err := rootkey.OpenSoftware(filepath.Join(dir, "root.key"))
	if err != nil {
		t.Fatal(err)
	}
	return New(st, rk, "123456789012"), dir
}

func TestBootstrapCreatesCredentialsOnce(t *testing.T) {
	ctx := context.Background()
	k, dir := newKeyring(t)
	res, err := k.Bootstrap(ctx, dir, "", "", time.Now())
	if err != nil || res.CredentialsFile == "" || !strings.HasPrefix(res.AccessKeyID, "AKIA") || len(res.AccessKeyID) != 20 {
		t.Fatalf("first Bootstrap = %+v, %v", res, err)
	}
	fi, err := os.Stat(res.CredentialsFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file mode: %v, %v", fi, err)
	}
	data, _ := os.ReadFile(res.CredentialsFile)
	secret := ""
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "aws_secret_access_key = "); ok {
			secret = v
		}
	}
	got, err := k.Secret(ctx, res.AccessKeyID)
	if err != nil || string(got) != secret || len(secret) != 40 {
		t.Fatalf("stored secret does not match the file (len %d): %v", len(secret), err)
	}
	p, err := k.Principal(ctx, res.AccessKeyID)
	if err != nil || p.ARN != "arn:aws:iam::123456789012:root" || !p.IsRoot() {
		t.Fatalf("Principal = %+v, %v", p, err)
	}
	again, err := k.Bootstrap(ctx, dir, "", "", time.Now())
	if err != nil || again.CredentialsFile != "" || again.AccessKeyID != res.AccessKeyID {
		t.Fatalf("second Bootstrap = %+v, %v", again, err)
	}
	if _, err := k.Secret(ctx, "AKIAUNKNOWN000000000"); !errors.Is(err, sigv4.ErrUnknownAccessKey) {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestBootstrapFinishesAnInterruptedStart(t *testing.T) {
	ctx := context.Background()
	k, dir := newKeyring(t)
	// A start that recorded the root's key ID and died before storing it.
	if _, err := k.store.InitMeta(ctx, rootMetaName, []byte("AKIAINTERRUPTED00000")); err != nil {
		t.Fatal(err)
	}
	res, err := k.Bootstrap(ctx, dir, "", "", time.Now())
	if err != nil || res.AccessKeyID != "AKIAINTERRUPTED00000" || res.CredentialsFile == "" {
		t.Fatalf("Bootstrap = %+v, %v", res, err)
	}
	if _, err := k.Secret(ctx, res.AccessKeyID); err != nil {
		t.Fatal(err)
	}
}

func TestBootstrapWithGivenCredentials(t *testing.T) {
	ctx := context.Background()
	k, dir := newKeyring(t)
	if _, err := k.Bootstrap(ctx, dir, "AKIAGIVEN", "", time.Now()); err == nil {
		t.Fatal("accepted an access key ID without a secret")
	}
	res, err := k.Bootstrap(ctx, dir, "AKIAGIVEN", "given-secret", time.Now())
	if err != nil || res.CredentialsFile != "" {
		t.Fatalf("Bootstrap = %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(dir, CredentialsFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a credentials file was written for given credentials")
	}
	if got, err := k.Secret(ctx, "AKIAGIVEN"); err != nil || string(got) != "given-secret" {
		t.Fatalf("Secret = %q, %v", got, err)
	}
}
