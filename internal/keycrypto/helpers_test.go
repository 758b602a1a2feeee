package keycrypto

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
)

// testKeys holds one generated key per spec for the whole test binary:
// RSA_4096 generation is slow, the more so under -race.
var testKeys sync.Map // spec → *testKey

type testKey struct {
	once      sync.Once
	priv, pub []byte
	err       error
}

// keyOf returns the test binary's key of spec (private material and, for
// asymmetric specs, its SubjectPublicKeyInfo).
func keyOf(t testing.TB, spec string) (priv, pub []byte) {
	t.Helper()
	v, _ := testKeys.LoadOrStore(spec, &testKey{})
	k := v.(*testKey)
	k.once.Do(func() {
		k.priv, k.err = Generate(spec)
		if k.err == nil && specs[spec].kind != kindHMAC {
			k.pub, k.err = PublicKey(spec, k.priv)
		}
	})
	if k.err != nil {
		t.Fatalf("key %s: %v", spec, k.err)
	}
	return k.priv, k.pub
}

// signingSpecs lists the specs with signing algorithms, sorted.
func signingSpecs() []string {
	var out []string
	for name, s := range specs {
		if len(s.signing) > 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// wantException fails t unless err is an *Error with exactly this
// exception and message.
func wantException(t *testing.T, err error, exception, message string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want %s: %q", err, exception, message)
	}
	if e.Exception != exception || e.Message != message {
		t.Fatalf("err = %s: %q, want %s: %q", e.Exception, e.Message, exception, message)
	}
}

// needOpenSSL returns the openssl binary; it skips the test when there is
// none, except in CI (scripts/setup-test-deps.sh installs it).
func needOpenSSL(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("openssl is required in CI: %v", err)
		}
		t.Skip("openssl not installed")
	}
	return path
}

// openssl runs the openssl command in dir and returns its combined output.
func openssl(t *testing.T, dir string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(needOpenSSL(t), args...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

// writeFile writes data to name in dir and returns the name.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func pemOf(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func itoa(n int) string { return strconv.Itoa(n) }
