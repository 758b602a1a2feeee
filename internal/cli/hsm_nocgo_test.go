//go:build !cgo

package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestHSMWithoutCgo(t *testing.T) {
	for _, sub := range []string{"slots", "objects"} {
		var out, errOut bytes.Buffer
		code := Main([]string{"hsm", sub, "--module", "/usr/lib/softhsm/libsofthsm2.so"}, &out, &errOut)
		want := "trent hsm " + sub + ": trent was built without cgo; PKCS#11 needs cgo: rebuild with CGO_ENABLED=1"
		if code != 1 || !strings.HasPrefix(errOut.String(), want) {
			t.Errorf("%s: exit %d, stderr %q", sub, code, errOut.String())
		}
	}
}
