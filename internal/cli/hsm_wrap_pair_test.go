//go:build cgo

package cli

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// TestHSMWrapKeyPair generates RSA and EC key pairs with `trent hsm
// keygen` in an NSS database, wraps each private key, named by the label
// both halves share, with `trent hsm wrap` and RSA_AES_KEY_WRAP_SHA_256,
// and unwraps it as KMS would: the PKCS#8 inside has the public key
// keygen printed. On SoftHSM2, which cannot compose the algorithm for a
// PKCS#8 key, the wrap must be refused with the reason.
func TestHSMWrapKeyPair(t *testing.T) {
	der, _ := wrappingKeyFiles(t)
	nss := []string{"--nss-db", pkcs11test.TempNSSDB(t)}
	mustRun(t, hsm("import-pubkey", nss, "--in", der, "--label", "kms")...)
	dir := t.TempDir()
	for _, c := range []struct{ name, typ string }{{"rsa", "rsa"}, {"ec", "ec"}} {
		t.Run(c.name, func(t *testing.T) {
			p := decodeJSON[struct {
				PublicKey string `json:"public_key"`
			}](t, mustRun(t, hsm("keygen", nss, "--type", c.typ, "--label", "pair-"+c.name, "--json")...))
			out := filepath.Join(dir, c.name+".bin")
			mustRun(t, hsm("wrap", nss, "--key", "label:pair-"+c.name, "--wrapping-key", "label:kms", "--algorithm", pkcs11.RSAAESKeyWrapSHA256, "--out", out)...)
			wrapped, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			pkcs8, err := byok.Unwrap(pkcs11test.RSAKey(t), pkcs11.RSAAESKeyWrapSHA256, wrapped, 0)
			if err != nil {
				t.Fatal(err)
			}
			k, err := x509.ParsePKCS8PrivateKey(pkcs8)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := x509.MarshalPKIXPublicKey(k.(crypto.Signer).Public())
			if want, _ := base64.StdEncoding.DecodeString(p.PublicKey); !bytes.Equal(got, want) {
				t.Error("the wrapped private key is not the one keygen made")
			}
		})
	}
	tf := softHSMArgs(t)
	mustRun(t, hsm("import-pubkey", tf, "--in", der, "--label", "kms")...)
	mustRun(t, hsm("keygen", tf, "--type", "ec", "--label", "ec-pair")...)
	mustFail(t, 1, []string{"cannot wrap a private key with RSA_AES_KEY_WRAP_SHA_1", "NSS softokn has one"},
		hsm("wrap", tf, "--key", "label:ec-pair", "--wrapping-key", "label:kms", "--algorithm", pkcs11.RSAAESKeyWrapSHA1, "--out", filepath.Join(dir, "x"))...)
}
