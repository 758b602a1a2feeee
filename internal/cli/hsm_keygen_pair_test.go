//go:build cgo

package cli

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// TestHSMKeygenPair generates RSA and EC key pairs and an HMAC key sized
// in bits with `trent hsm keygen` on SoftHSM2, and checks the BYOK
// attributes of both halves and the public key printed.
func TestHSMKeygenPair(t *testing.T) {
	tf := softHSMArgs(t)
	type pairOut struct {
		Private   pkcs11.Attrs `json:"private"`
		Public    pkcs11.Attrs `json:"public"`
		PublicKey string       `json:"public_key"`
	}
	for _, c := range []struct {
		name  string
		args  []string
		check func(k any) bool
	}{
		{"rsa default", []string{"--type", "rsa"}, func(k any) bool { r, ok := k.(*rsa.PublicKey); return ok && r.N.BitLen() == 2048 }},
		{"rsa-3072", []string{"--type", "rsa", "--bits", "3072"}, func(k any) bool { r, ok := k.(*rsa.PublicKey); return ok && r.N.BitLen() == 3072 }},
		{"ec default", []string{"--type", "ec"}, func(k any) bool { e, ok := k.(*ecdsa.PublicKey); return ok && e.Curve.Params().BitSize == 256 }},
		{"ec p384", []string{"--type", "ec", "--curve", "p384"}, func(k any) bool { e, ok := k.(*ecdsa.PublicKey); return ok && e.Curve.Params().BitSize == 384 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			label := strings.ReplaceAll(c.name, " ", "-")
			p := decodeJSON[pairOut](t, mustRun(t, hsm("keygen", tf, append(c.args, "--label", label, "--id", "c0ffee", "--json")...)...))
			k, v := p.Private, p.Public
			if k.Class != "private-key" || !*k.Token || !*k.Private || !*k.Sensitive || !*k.Extractable || !*k.Modifiable || !*k.Sign || *k.Decrypt || *k.Label != label || k.ID.String() != "c0ffee" {
				t.Errorf("private half: %s", mustJSON(k))
			}
			if v.Class != "public-key" || !*v.Token || *v.Private || !*v.Verify || *v.Label != label || v.ID.String() != "c0ffee" {
				t.Errorf("public half: %s", mustJSON(v))
			}
			der, err := base64.StdEncoding.DecodeString(p.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			if pk, err := x509.ParsePKIXPublicKey(der); err != nil || !c.check(pk) {
				t.Errorf("public key %T, %v", pk, err)
			}
		})
	}
	out := mustRun(t, hsm("keygen", tf, "--type", "ec", "--curve", "secp256k1", "--label", "k1", "--decrypt=false")...)
	for _, want := range []string{"generated EC secp256k1 key pair", "private key: label \"k1\", id ", ";type=private;", "public key: label \"k1\"", "public_key=MFYw"} {
		if !strings.Contains(out, want) {
			t.Errorf("keygen ec text: no %q in\n%s", want, out)
		}
	}
	h := decodeJSON[pkcs11.Attrs](t, mustRun(t, hsm("keygen", tf, "--type", "hmac", "--bits", "384", "--label", "hmac384", "--json")...))
	if h.KeyType != "GENERIC_SECRET" || *h.ValueLen != 48 || !*h.Sign || !*h.Extractable || !*h.Sensitive {
		t.Errorf("hmac --bits 384: %s", mustJSON(h))
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--type", "rsa", "--bits", "1024"}, "2048, 3072 or 4096 bits, not 1024"},
		{[]string{"--type", "ec", "--curve", "p224"}, `curve "p224": use one of`},
		{[]string{"--type", "ec", "--bits", "256"}, "--bits is not for --type ec"},
		{[]string{"--type", "rsa", "--curve", "p256"}, "--curve is for --type ec"},
		{[]string{"--type", "hmac", "--bits", "200"}, "256 to 1024 bits"},
		{[]string{"--type", "hmac", "--bits", "260"}, "a multiple of 8"},
		{[]string{"--type", "hmac", "--bits", "256", "--size", "32"}, "not both"},
		{[]string{"--type", "aes", "--bits", "256"}, "--bits is for --type rsa or hmac"},
		{[]string{"--type", "rsa", "--size", "32"}, "--size is for secret keys"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, errOut := run(t, hsm("keygen", tf, c.args...)...)
			if code == 0 || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errOut, c.want)
			}
		})
	}
}
