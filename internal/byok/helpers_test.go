package byok

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The RSA keys under testdata/ are TEST ONLY: generated with
// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:N` for these
// tests, public, and never to be used for anything else. They are committed
// so that the tests do not spend seconds generating RSA-4096 under -race.
var (
	testKeysOnce sync.Once
	testKeys     map[string]*rsa.PrivateKey
	testKeysErr  error
)

// testKeyNames are the PEM files (without .pem) in testdata/.
var testKeyNames = []string{"wrapping_rsa2048", "wrapping_rsa3072", "wrapping_rsa4096", "other_rsa2048"}

func loadTestKeys() {
	testKeys = make(map[string]*rsa.PrivateKey)
	for _, name := range testKeyNames {
		b, err := os.ReadFile(filepath.Join("testdata", name+".pem"))
		if err != nil {
			testKeysErr = err
			return
		}
		// pem.Decode skips the "TEST ONLY" line in front of the block.
		blk, _ := pem.Decode(b)
		if blk == nil || blk.Type != "PRIVATE KEY" {
			testKeysErr = fmt.Errorf("%s: no PKCS#8 PEM block", name)
			return
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			testKeysErr = fmt.Errorf("%s: %w", name, err)
			return
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			testKeysErr = fmt.Errorf("%s: not an RSA key", name)
			return
		}
		rk.Precompute()
		testKeys[name] = rk
	}
}

// testKey returns the committed TEST ONLY key called name.
func testKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	testKeysOnce.Do(loadTestKeys)
	if testKeysErr != nil {
		t.Fatalf("loading test keys: %v", testKeysErr)
	}
	k := testKeys[name]
	if k == nil {
		t.Fatalf("no test key %q", name)
	}
	return k
}

// wrappingKey returns the TEST ONLY wrapping key of the given modulus size.
func wrappingKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	k := testKey(t, fmt.Sprintf("wrapping_rsa%d", bits))
	if k.N.BitLen() != bits {
		t.Fatalf("wrapping_rsa%d has a %d-bit modulus", bits, k.N.BitLen())
	}
	return k
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func randBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// flipBit returns a copy of b with bit i (0 = MSB of b[0]) flipped.
func flipBit(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i/8] ^= 0x80 >> (i % 8)
	return c
}

// flipByte returns a copy of b with every bit of byte i flipped.
func flipByte(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0xFF
	return c
}

// mustBeOnly fails unless err is exactly want, by both errors.Is and ==,
// and got is empty.
func mustBeOnly(t testing.TB, got []byte, err, want error) {
	t.Helper()
	if err != want || !errors.Is(err, want) {
		t.Fatalf("err = %v (%T), want exactly %v", err, err, want)
	}
	if got != nil {
		t.Fatalf("got %d bytes of output alongside the error", len(got))
	}
}

// regression fails the test for behaviour the reference requires, with the
// explanation of the bug these tests once found there.
func regression(t testing.TB, format string, args ...any) {
	t.Helper()
	t.Fatalf("regression: "+format, args...)
}

// requireOpenSSL returns the openssl binary, skipping the test when it is
// missing unless CI is "true", where a missing openssl is a failure.
func requireOpenSSL(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("openssl is required when CI=true: %v", err)
		}
		t.Skipf("openssl not installed: %v", err)
	}
	return p
}

// runOpenSSL runs openssl with args in dir, failing the test with its
// output if it fails.
func runOpenSSL(t testing.TB, bin, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out.Bytes())
	}
}

func writeFile(t testing.TB, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
