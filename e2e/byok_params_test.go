//go:build cgo

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/byokflow"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// TestBYOKParamsZip: trent byok params writes ImportParameters.zip with
// the wrapping algorithm recorded; trent byok export takes it as it is,
// uses the recorded algorithm, and refuses a different --algorithm before
// it wraps (KMS would refuse the material only at upload, with
// InvalidCiphertextException); trent hsm import-pubkey takes it too.
func TestBYOKParamsZip(t *testing.T) {
	ep := startServer(t)
	c := ep.client()
	byokEnv(t, ep)
	mod := pkcs11test.TempSoftHSM(t)
	t.Setenv("TRENT_PKCS11_PIN", pkcs11test.SoftHSMPIN)
	tf := []string{"--module", mod, "--token-label", pkcs11test.SoftHSMLabel}
	material := randomBytes(t, 32)
	remember(t, material)
	pkcs11test.ImportAESKey(t, mod, "", pkcs11test.SoftHSMLabel, pkcs11test.SoftHSMPIN, "zip-key", material)
	objects := tokenObjects(t, tf)

	id, _ := createExternalKey(t, c)
	zip := filepath.Join(t.TempDir(), "ImportParameters.zip")
	out := mustTrent(t, "byok", "params", "--key-id", id, "--algorithm", "RSAES_OAEP_SHA_1", "--wrapping-key-spec", "RSA_2048", "--out", zip)
	if !strings.Contains(out, "wrapping_algorithm=RSAES_OAEP_SHA_1\n") || !strings.Contains(out, "file="+zip+"\n") {
		t.Errorf("params: %s", out)
	}
	p, err := byokflow.ReadParams(zip)
	if err != nil || p.KeyARN != keyARN(id) || p.Algorithm != "RSAES_OAEP_SHA_1" || p.Spec != "RSA_2048" || p.ValidTo == nil || time.Until(*p.ValidTo) < 23*time.Hour {
		t.Fatalf("the zip: %+v %v", p, err)
	}

	// A mismatched --algorithm: refused at step 1, the token untouched.
	d0 := filepath.Join(t.TempDir(), "d0")
	byokFails(t, []string{"trent byok export: step 1 (read the import parameters and check the wrapping algorithm): --algorithm RSAES_OAEP_SHA_256, but these parameters were requested for RSAES_OAEP_SHA_1",
		"KMS would refuse the wrapped key with InvalidCiphertextException"},
		append([]string{"export", "--hsm-key", "zip-key", "--out-dir", d0, "--params-file", zip, "--algorithm", "RSAES_OAEP_SHA_256"}, tf...)...)
	if _, err := os.Stat(d0); err == nil {
		t.Error("a refused export made its directory")
	}
	if got := tokenObjects(t, tf); got != objects {
		t.Errorf("token objects changed:\n%s\n%s", objects, got)
	}

	// Without --algorithm: the recorded one; upload; KMS holds the bytes.
	d1 := filepath.Join(t.TempDir(), "d1")
	_, progress := byokOK(t, append([]string{"export", "--hsm-key", "label:zip-key", "--out-dir", d1, "--params-file", zip}, tf...)...)
	if !strings.Contains(progress, "ok: KMS key "+keyARN(id)+", RSAES_OAEP_SHA_1 with an RSA_2048 wrapping key") || !strings.Contains(progress, "[7/7] write the files ... ok") {
		t.Errorf("export progress:\n%s", progress)
	}
	r, _ := byokOK(t, "upload", "--dir", d1, "--no-expiry")
	checkByokImport(t, c, r, "RSAES_OAEP_SHA_1", types.ExpirationModelTypeKeyMaterialDoesNotExpire)
	proveMaterial(t, c, id, material)

	// import-pubkey takes the zip as it is.
	mustTrent(t, append([]string{"hsm", "import-pubkey", "--in", zip, "--label", "from-zip"}, tf...)...)
	if got := tokenObjects(t, tf); !strings.Contains(got, "public-key RSA from-zip") {
		t.Errorf("import-pubkey from the zip: %s", got)
	}
}

// TestBYOKKMSDown: a KMS that is down is found at step 1, at once, before
// the token is opened or anything made.
func TestBYOKKMSDown(t *testing.T) {
	ep := startServer(t)
	byokEnv(t, ep)
	mod := pkcs11test.TempSoftHSM(t)
	t.Setenv("TRENT_PKCS11_PIN", pkcs11test.SoftHSMPIN)
	tf := []string{"--module", mod, "--token-label", pkcs11test.SoftHSMLabel}
	objects := tokenObjects(t, tf)
	start := time.Now()
	out := byokFails(t, []string{"trent byok import: step 1 (reach KMS and check the KMS key): KMS ListKeys (reachability check): ", "check the endpoint"},
		append([]string{"import", "--generate", "--no-expiry", "--endpoint-url", "http://127.0.0.1:1"}, tf...)...)
	if strings.Contains(out, "[2/12]") || time.Since(start) > 10*time.Second {
		t.Errorf("went on, or retried (%s):\n%s", time.Since(start), out)
	}
	if got := tokenObjects(t, tf); got != objects {
		t.Errorf("token objects changed:\n%s\n%s", objects, got)
	}
}
