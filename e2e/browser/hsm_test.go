package browser

import (
	"archive/zip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// softHSM is a SoftHSM2 token of the test's own, driven with `trent hsm`.
type softHSM struct {
	t    *testing.T
	args []string // the token flags
}

// newSoftHSM initialises a SoftHSM2 token for t (SOFTHSM2_CONF is set for
// the test, and so for the trent commands it runs).
func newSoftHSM(t *testing.T) *softHSM {
	t.Helper()
	mod := pkcs11test.TempSoftHSM(t)
	t.Setenv("TRENT_PKCS11_PIN", pkcs11test.SoftHSMPIN)
	return &softHSM{t: t, args: []string{"--module", mod, "--token-label", pkcs11test.SoftHSMLabel}}
}

// hsm runs `trent hsm args...` against the token and returns its output.
func (h *softHSM) hsm(args ...string) string {
	h.t.Helper()
	cmd := exec.Command(trentBinary(h.t), append(append([]string{"hsm"}, args...), h.args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		h.t.Fatalf("trent hsm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// unzip extracts the zip file into a new directory and returns it.
func unzip(t *testing.T, file string) string {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	defer zr.Close()
	dir := t.TempDir()
	for _, f := range zr.File {
		if strings.ContainsAny(f.Name, `/\`) {
			t.Fatalf("%s holds a path, %q", file, f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
