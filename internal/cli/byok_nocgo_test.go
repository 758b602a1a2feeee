//go:build !cgo

package cli

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/byokflow"
)

// TestBYOKWithoutCgo: the parameters are read, then opening the token
// says why it cannot work.
func TestBYOKWithoutCgo(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	v := time.Now().Add(time.Hour)
	var b bytes.Buffer
	if err := byokflow.WriteParamsZip(&b, &byokflow.Params{KeyARN: "arn:k", Algorithm: "RSAES_OAEP_SHA_1", Spec: "RSA_2048", PublicKey: spki, Token: []byte("t"), ValidTo: &v}); err != nil {
		t.Fatal(err)
	}
	zip := filepath.Join(t.TempDir(), "ImportParameters.zip")
	if err := os.WriteFile(zip, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := byokMain("export", "--module", "/usr/lib/softhsm/libsofthsm2.so", "--hsm-key", "k", "--params-file", zip, "--out-dir", t.TempDir())
	want := "trent byok export: step 2 (open the token): trent was built without cgo; PKCS#11 needs cgo"
	if code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
