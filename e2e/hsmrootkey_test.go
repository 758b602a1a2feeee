package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// TestHSMRootKey runs trent server with its root key in a SoftHSM2 token:
// --init creates the key, data written under it decrypts after a restart,
// and the same data dir refuses to start with the software root key.
func TestHSMRootKey(t *testing.T) {
	module := pkcs11test.TempSoftHSM(t) // sets SOFTHSM2_CONF, which the server inherits
	ctx := context.Background()
	dir := t.TempDir()
	env := []string{"TRENT_PKCS11_PIN=" + pkcs11test.SoftHSMPIN}
	uri := "pkcs11:token=" + pkcs11test.SoftHSMLabel + ";object=trent-root-key"
	args := []string{"--root-key", uri, "--pkcs11-module", module, "--wrapping-key-pool", "0"}

	p := startProcessWith(t, dir, env, append(args, "--init")...)
	c := p.client()
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	remember(t, []byte("sealed by the HSM"))
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: []byte("sealed by the HSM")})
	if err != nil {
		t.Fatal(err)
	}
	p.stop(t)
	if _, err := os.Stat(filepath.Join(dir, "root.key")); !os.IsNotExist(err) {
		t.Fatalf("a software root key file exists next to an HSM root key: %v", err)
	}

	// The software path cannot open this data.
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(sctx, trentBinary(t), "server", "--listen", "127.0.0.1:0", "--data-dir", dir,
		"--root-key", "file").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "HSM root key") {
		t.Fatalf("server with the software root key on HSM-sealed data: err %v, output:\n%s", err, out)
	}

	p = startProcessWith(t, dir, env, args...)
	dec, err := p.client().Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "sealed by the HSM" {
		t.Fatalf("Decrypt after restart with the HSM root key = %v, %v", dec, err)
	}
}
