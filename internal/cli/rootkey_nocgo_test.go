//go:build !cgo

package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestAdminRootKeyWithoutCgo(t *testing.T) {
	for _, sub := range []string{"create", "show"} {
		var out, errOut bytes.Buffer
		code := Main([]string{"admin", "root-key", sub, "--module", "/usr/lib/softhsm/libsofthsm2.so"}, &out, &errOut)
		if code != 1 || !strings.Contains(errOut.String(), "trent was built without cgo; PKCS#11 needs cgo") {
			t.Errorf("%s: exit %d, stderr %q", sub, code, errOut.String())
		}
	}
}
