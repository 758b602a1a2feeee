// Package pkcs11test makes throwaway PKCS#11 tokens for tests: a SoftHSM2
// token and an NSS softokn database, either once per test binary in a
// temporary directory that Main removes (SoftHSM, NSSDB), or per test in
// t.TempDir() (TempSoftHSM, TempNSSDB). A missing module or tool skips the
// test, unless CI is "true", where it fails: there the README's test
// command has installed them (scripts/setup-test-deps.sh).
package pkcs11test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Module paths of the Debian packages softhsm2 and libnss3.
var (
	SoftHSMModule = "/usr/lib/softhsm/libsofthsm2.so"
	NSSModule     = "/usr/lib/" + map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i386"}[runtime.GOARCH] +
		"-linux-gnu/libsoftokn3.so"
)

// SoftHSM token credentials. Test values only.
const (
	SoftHSMLabel = "trent-test"
	SoftHSMPIN   = "1234"
	SoftHSMSOPIN = "12345678"
)

var (
	dirOnce sync.Once
	dir     string
	dirErr  error

	softOnce sync.Once
	softErr  error
	nssOnce  sync.Once
	nssDir   string
	nssErr   error
	rsaOnce  sync.Once
	rsaKey   *rsa.PrivateKey
	rsaErr   error
)

// Main runs the tests and removes the temporary directory.
func Main(m *testing.M) int {
	code := m.Run()
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
	return code
}

func tempDir() (string, error) {
	dirOnce.Do(func() { dir, dirErr = os.MkdirTemp("", "trent-pkcs11-test-") })
	return dir, dirErr
}

// Require skips (or, with CI=true, fails) the test when err is not nil.
func Require(tb testing.TB, what string, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is required when CI=true: %v", what, err)
	}
	tb.Skipf("%s is not available (%v); set CI=true to make this a failure", what, err)
}

// SoftHSM makes, once per test binary, a SoftHSM2 token labelled
// SoftHSMLabel with SoftHSMPIN, and points SOFTHSM2_CONF at its
// configuration. It returns the module path.
func SoftHSM(tb testing.TB) string {
	tb.Helper()
	softOnce.Do(func() { softErr = initSoftHSM() })
	Require(tb, "SoftHSM2 (softhsm2-util and "+SoftHSMModule+")", softErr)
	return SoftHSMModule
}

func initSoftHSM() error {
	d, err := tempDir()
	if err != nil {
		return err
	}
	conf, err := makeSoftHSM(d)
	if err != nil {
		return err
	}
	return os.Setenv("SOFTHSM2_CONF", conf)
}

// TempSoftHSM makes a SoftHSM2 token as SoftHSM does, in t.TempDir(), and
// sets SOFTHSM2_CONF for the test. SoftHSM2 reads it at C_Initialize, so
// the token is seen by modules initialised during the test.
func TempSoftHSM(t *testing.T) string {
	t.Helper()
	conf, err := makeSoftHSM(t.TempDir())
	Require(t, "SoftHSM2 (softhsm2-util and "+SoftHSMModule+")", err)
	t.Setenv("SOFTHSM2_CONF", conf)
	return SoftHSMModule
}

// makeSoftHSM writes a softhsm2.conf in dir and initialises a token there.
func makeSoftHSM(d string) (string, error) {
	if _, err := os.Stat(SoftHSMModule); err != nil {
		return "", err
	}
	if _, err := exec.LookPath("softhsm2-util"); err != nil {
		return "", err
	}
	tokens := filepath.Join(d, "softhsm-tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		return "", err
	}
	conf := filepath.Join(d, "softhsm2.conf")
	text := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return "", err
	}
	cmd := exec.Command("softhsm2-util", "--init-token", "--free", "--label", SoftHSMLabel,
		"--so-pin", SoftHSMSOPIN, "--pin", SoftHSMPIN)
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("softhsm2-util --init-token: %v: %s", err, out)
	}
	return conf, nil
}

// NSSDB makes, once per test binary, an NSS database with an empty
// password and returns its directory.
func NSSDB(tb testing.TB) string {
	tb.Helper()
	nssOnce.Do(func() { nssDir, nssErr = initNSS() })
	Require(tb, "NSS softokn (certutil and "+NSSModule+")", nssErr)
	return nssDir
}

func initNSS() (string, error) {
	d, err := tempDir()
	if err != nil {
		return "", err
	}
	return makeNSSDB(d)
}

// TempNSSDB makes an NSS database with an empty password in t.TempDir().
func TempNSSDB(t *testing.T) string {
	t.Helper()
	db, err := makeNSSDB(t.TempDir())
	Require(t, "NSS softokn (certutil and "+NSSModule+")", err)
	return db
}

func makeNSSDB(d string) (string, error) {
	if _, err := os.Stat(NSSModule); err != nil {
		return "", err
	}
	if _, err := exec.LookPath("certutil"); err != nil {
		return "", err
	}
	db := filepath.Join(d, "nssdb")
	if err := os.Mkdir(db, 0o700); err != nil {
		return "", err
	}
	out, err := exec.Command("certutil", "-N", "-d", "sql:"+db, "--empty-password").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("certutil -N: %v: %s", err, out)
	}
	return db, nil
}

// RSAKey returns an RSA-2048 key pair made once per test binary: the
// stand-in for KMS's wrapping key, whose private half stays in the test.
func RSAKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	rsaOnce.Do(func() { rsaKey, rsaErr = rsa.GenerateKey(rand.Reader, 2048) })
	if rsaErr != nil {
		tb.Fatal(rsaErr)
	}
	return rsaKey
}
