package xksconfig

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	goodAKID   = "BETWEEN2TENAND3TENCHARACTERS"
	goodSecret = "PbEiWv4H6uuh8rnrvFqCWDakKjIEoD8+YWL4W7nQEPY="
)

// valid is a minimal valid configuration; tests break one field at a time.
func valid() string {
	return `
tls: {cert: s.pem, key: s.key}
pkcs11: {module: /usr/lib/softhsm/libsofthsm2.so, token: t, pinEnv: PIN}
auditLog: audit.log
keyStores:
  - uriPrefix: /example/prefix
    healthKey: health
    credentials:
      - {accessKeyId: ` + goodAKID + `, secretAccessKey: "` + goodSecret + `"}
    keys:
      - {externalKeyId: key-1, label: k1}
`
}

func TestParse(t *testing.T) {
	c, err := Parse([]byte(valid()))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":443" || c.PKCS11.Sessions != DefaultSessions || c.Stores[0].URIPath() != "/example/prefix/kms/xks/v1" {
		t.Fatalf("defaults: %+v", c)
	}
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"short access key id", goodAKID, "ABCDEFGHIJ", "accessKeyId"},
		{"lower-case access key id", goodAKID, strings.ToLower(goodAKID), "accessKeyId"},
		{"short secret", goodSecret, "abc", "secretAccessKey"},
		{"secret with a bad character", goodSecret, strings.Replace(goodSecret, "P", "!", 1), "secretAccessKey"},
		{"prefix with a trailing slash", "/example/prefix", "/example/prefix/", "uriPrefix"},
		{"prefix with a dot", "/example/prefix", "/ex.ample", "uriPrefix"},
		{"prefix too long", "/example/prefix", "/" + strings.Repeat("p", 120), "exceeds 128"},
		{"bad external key id", "key-1", "key/1", "externalKeyId"},
		{"no health key", "healthKey: health", "healthKey: ''", "healthKey"},
		{"unknown field", "auditLog: audit.log", "auditLog: audit.log\nauditlogg: x", "not found"},
		{"no TLS", "tls: {cert: s.pem, key: s.key}", "", "tls.cert"},
		{"mTLS without subject", "tls: {cert: s.pem, key: s.key}", "tls: {cert: s.pem, key: s.key, mtls: {ca: ca.pem}}", "tls.mtls"},
		{"two PIN sources", "pinEnv: PIN", "pinEnv: PIN, pinFile: f", "pinFile or pinEnv"},
		{"key without label or id", "label: k1", "id: ''", "label or id"},
		{"id not hex", "label: k1", "id: zz", "id: want hex"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.Replace(valid(), tc.from, tc.to, 1)
			_, err := Parse([]byte(in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one about %s", err, tc.want)
			}
			if strings.Contains(err.Error(), goodSecret) {
				t.Fatal("the error quotes the secret")
			}
		})
	}
}

func TestLoadRefusesReadableFile(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		ok   bool
	}{{0o600, true}, {0o400, true}, {0o640, false}, {0o604, false}, {0o660, false}} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "xks.yaml")
			if err := os.WriteFile(p, []byte(valid()), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if tc.ok != (err == nil) {
				t.Fatalf("Load with mode %04o: %v", tc.mode, err)
			}
			if err != nil && !strings.Contains(err.Error(), "secret access keys") {
				t.Fatalf("the error does not say why: %v", err)
			}
		})
	}
}

func TestNewCredential(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		c := NewCredential()
		if !ValidAccessKeyID(c.AccessKeyID) || !ValidSecret(c.SecretAccessKey) || seen[c.AccessKeyID] {
			t.Fatalf("NewCredential = %q (secret of %d characters)", c.AccessKeyID, len(c.SecretAccessKey))
		}
		seen[c.AccessKeyID] = true
	}
}

func TestAppendCredentialAndConsole(t *testing.T) {
	p := filepath.Join(t.TempDir(), "xks.yaml")
	if err := os.WriteFile(p, []byte("# the proxy's file\n"+valid()), 0o600); err != nil {
		t.Fatal(err)
	}
	cred := NewCredential()
	if err := AppendCredential(p, "/example/prefix", cred); err != nil {
		t.Fatal(err)
	}
	if err := AppendCredential(p, "/no/such/prefix", NewCredential()); err == nil {
		t.Fatal("appended to a store that does not exist")
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode after the edit: %v %v", fi.Mode(), err)
	}
	raw, _ := os.ReadFile(p)
	if !strings.Contains(string(raw), "# the proxy's file") {
		t.Fatal("the edit lost the file's comment")
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if creds := c.Stores[0].Credentials; len(creds) != 2 || creds[1] != cred || creds[0].AccessKeyID != goodAKID {
		t.Fatalf("credentials after the edit: %v", creds)
	}
	b, err := c.Console("/example/prefix", cred.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"XksProxyUriPath": "/example/prefix/kms/xks/v1", "XksProxyAuthenticationCredential": map[string]any{
		"AccessKeyId": cred.AccessKeyID, "RawSecretAccessKey": cred.SecretAccessKey}}
	if got, _ := json.Marshal(f); string(got) != string(mustJSON(want)) {
		t.Fatalf("console file %s, want %s", got, mustJSON(want))
	}
	if _, err := c.Console("/example/prefix", "NOSUCHKEYNOSUCHKEYNOSUCH"); err == nil {
		t.Fatal("console file for an unknown access key")
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
