//go:build cgo

package cli

import (
	"bytes"
	"crypto/aes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// run runs trent with args and returns the exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustRun runs trent and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := run(t, args...)
	if code != 0 {
		t.Fatalf("trent %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// mustFail runs trent, expects exit code want and every part in stderr.
func mustFail(t *testing.T, want int, parts []string, args ...string) {
	t.Helper()
	code, out, errOut := run(t, args...)
	if code != want {
		t.Fatalf("trent %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
	}
	for _, p := range parts {
		if !strings.Contains(errOut, p) {
			t.Fatalf("trent %s: stderr %q\ndoes not contain %q", strings.Join(args, " "), errOut, p)
		}
	}
}

func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v in JSON %q", err, s)
	}
	return v
}

// softHSMArgs makes a SoftHSM2 token for the test and a PIN file, and
// returns the token flags.
func softHSMArgs(t *testing.T) []string {
	t.Helper()
	mod := pkcs11test.TempSoftHSM(t)
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(pkcs11test.SoftHSMPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--module", mod, "--token-label", pkcs11test.SoftHSMLabel, "--pin-file", pinFile}
}

// hsm builds "hsm sub flags... extra..." arguments.
func hsm(sub string, flags []string, extra ...string) []string {
	return append(append([]string{"hsm", sub}, flags...), extra...)
}

// wrappingKeyFiles writes the test RSA public key as KMS hands it out
// (DER SubjectPublicKeyInfo) and as PEM.
func wrappingKeyFiles(t *testing.T) (der, pemFile string) {
	t.Helper()
	spki, err := x509.MarshalPKIXPublicKey(&pkcs11test.RSAKey(t).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	der, pemFile = filepath.Join(dir, "wrappingKey_1234"), filepath.Join(dir, "pub_key.pem")
	if err := os.WriteFile(der, spki, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}), 0o644); err != nil {
		t.Fatal(err)
	}
	return der, pemFile
}

// pkcs11ToolObjects lists the token's objects with OpenSC's pkcs11-tool:
// an independent check of what trent wrote.
func pkcs11ToolObjects(t *testing.T, mod string) string {
	t.Helper()
	if _, err := exec.LookPath("pkcs11-tool"); err != nil {
		pkcs11test.Require(t, "pkcs11-tool (opensc)", err)
	}
	out, err := exec.Command("pkcs11-tool", "--module", mod, "--token-label", pkcs11test.SoftHSMLabel,
		"--login", "--pin", pkcs11test.SoftHSMPIN, "--list-objects").CombinedOutput()
	if err != nil {
		t.Fatalf("pkcs11-tool --list-objects: %v\n%s", err, out)
	}
	return string(out)
}

// pkcs11ToolObject returns pkcs11-tool's paragraph for the object labelled label.
func pkcs11ToolObject(t *testing.T, listing, label string) string {
	t.Helper()
	var blocks []string
	for _, line := range strings.SplitAfter(listing, "\n") {
		if line != "" && line[0] != ' ' || len(blocks) == 0 {
			blocks = append(blocks, "")
		}
		blocks[len(blocks)-1] += line
	}
	for _, b := range blocks {
		if strings.Contains(b, "label:      "+label+"\n") {
			return b
		}
	}
	t.Fatalf("pkcs11-tool does not list %q:\n%s", label, listing)
	return ""
}

func kcvOf(t *testing.T, key []byte) string {
	t.Helper()
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 16)
	b.Encrypt(out, out)
	return pkcs11.Hex(out[:3]).String()
}

// objectSet describes the token's objects, without handles, sorted.
func objectSet(t *testing.T, tf []string) string {
	t.Helper()
	var lines []string
	for _, o := range decodeJSON[[]pkcs11.Object](t, mustRun(t, hsm("objects", tf, "--json")...)) {
		lines = append(lines, fmt.Sprintf("%s %s %d %q %s", o.Class, o.KeyType, o.Bits, o.Label, o.ID))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func jsonNumber(h pkcs11.Handle) string { return strings.TrimSpace(mustJSON(h)) }

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// kcvURI is the object URI trent hsm kcv reports for id:aa.
func kcvURI(t *testing.T, tf []string) string {
	t.Helper()
	return decodeJSON[kcvResult](t, mustRun(t, hsm("kcv", tf, "--handle", "id:aa", "--json")...)).URI
}
