//go:build !cgo

package cli

import (
	"strings"
	"testing"
)

func TestBYOKWithoutCgo(t *testing.T) {
	code, _, errOut := byokMain("import", "--module", "/usr/lib/softhsm/libsofthsm2.so", "--generate", "--no-expiry")
	want := "trent byok import: step 1 (open the token): trent was built without cgo; PKCS#11 needs cgo"
	if code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
