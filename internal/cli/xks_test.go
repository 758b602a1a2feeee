package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

const xksTestConfig = `tls: {cert: s.pem, key: s.key}
pkcs11: {module: /nonexistent/libpkcs11.so, token: t}
auditLog: audit.log
keyStores:
  - uriPrefix: /tenant-a
    healthKey: health
    credentials:
      - {accessKeyId: BETWEEN2TENAND3TENCHARACTERS, secretAccessKey: "PbEiWv4H6uuh8rnrvFqCWDakKjIEoD8+YWL4W7nQEPY="}
    keys: [{externalKeyId: k1, label: k1}]
`

// TestXKSCommands runs trent xks's credential and console-file commands
// on a configuration file, and serve's refusal of a readable file.
func TestXKSCommands(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "xks.yaml")
	if err := os.WriteFile(cfg, []byte(xksTestConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := runXKS(context.Background(), args, &out, &errb)
		return code, out.String(), errb.String()
	}

	t.Run("credentials new prints a spec-valid pair", func(t *testing.T) {
		code, out, _ := run("credentials", "new")
		m := regexp.MustCompile(`accessKeyId: (\S+)\nsecretAccessKey: "(\S+)"\n`).FindStringSubmatch(out)
		if code != 0 || m == nil || !xksconfig.ValidAccessKeyID(m[1]) || !xksconfig.ValidSecret(m[2]) {
			t.Fatalf("exit %d, %q", code, out)
		}
	})

	var added string
	t.Run("credentials new --config adds it to the store", func(t *testing.T) {
		code, out, errs := run("credentials", "new", "--config", cfg, "--prefix", "/tenant-a")
		added = strings.TrimSpace(strings.TrimPrefix(out, "accessKeyId: "))
		if code != 0 || !xksconfig.ValidAccessKeyID(added) || strings.Contains(out, "secret") {
			t.Fatalf("exit %d, %q %q", code, out, errs)
		}
		c, err := xksconfig.Load(cfg)
		if err != nil || len(c.Stores[0].Credentials) != 2 || c.Stores[0].Credentials[1].AccessKeyID != added {
			t.Fatalf("after the edit: %v %+v", err, c)
		}
	})

	t.Run("console-file --out", func(t *testing.T) {
		out := filepath.Join(dir, "console.json")
		if code, _, errs := run("console-file", "--config", cfg, "--prefix", "/tenant-a", "--access-key-id", added, "--out", out); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		fi, err := os.Stat(out)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("console file mode %v, %v", fi.Mode(), err)
		}
		var f xksconfig.ConsoleFile
		b, _ := os.ReadFile(out)
		if err := json.Unmarshal(b, &f); err != nil || f.XksProxyURIPath != "/tenant-a/kms/xks/v1" ||
			f.Credential.AccessKeyID != added || !xksconfig.ValidSecret(f.Credential.RawSecretAccessKey) {
			t.Fatalf("console file %s: %v", b, err)
		}
	})

	t.Run("console-file to a redirected stdout is made 0600", func(t *testing.T) {
		p := filepath.Join(dir, "redirected.json")
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var errb bytes.Buffer
		if code := runXKS(context.Background(), []string{"console-file", "--config", cfg, "--prefix", "/tenant-a",
			"--access-key-id", "BETWEEN2TENAND3TENCHARACTERS"}, f, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v", fi.Mode())
		}
	})

	t.Run("console-file for an unknown credential", func(t *testing.T) {
		if code, _, errs := run("console-file", "--config", cfg, "--prefix", "/tenant-a", "--access-key-id", "NOPE"); code != 1 || !strings.Contains(errs, "no access key") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})

	t.Run("serve refuses a file others can read", func(t *testing.T) {
		if err := os.Chmod(cfg, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errs := run("serve", "--config", cfg)
		if code != 1 || !strings.Contains(errs, "secret access keys") || strings.Contains(errs, "PbEiWv4H6") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})

	t.Run("unknown command", func(t *testing.T) {
		if code, _, _ := run("frobnicate"); code != 2 {
			t.Fatalf("exit %d", code)
		}
	})
}
