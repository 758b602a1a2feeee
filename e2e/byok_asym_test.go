package e2e

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// TestBYOKAsymNSS: RSA and EC key pairs and an HMAC key generated in an
// NSS softokn database with `trent hsm keygen`, wrapped there with `trent
// hsm wrap` (RSA_AES_KEY_WRAP_SHA_256 composed in the token for the
// private keys, RSAES_OAEP_SHA_256 for the HMAC key) and imported into a
// running Trent: Trent's signatures verify with the public key the token
// holds, and the HMAC key answers GenerateMac/VerifyMac. Then `trent byok
// import` does the same in one command, with its own proof.
func TestBYOKAsymNSS(t *testing.T) {
	ep := startServer(t)
	c := ep.client()
	byokEnv(t, ep)
	tf := []string{"--nss-db", pkcs11test.TempNSSDB(t)}
	dir := t.TempDir()
	hsm := func(args ...string) string { return mustTrent(t, append(append([]string{"hsm"}, args...), tf...)...) }

	// wrapInto imports the HSM key named label into the EXTERNAL key id.
	wrapInto := func(t *testing.T, id, label string, alg types.AlgorithmSpec) {
		p := getParams(t, c, id, alg, rsa2048)
		pubFile := filepath.Join(dir, label+".pub")
		if err := os.WriteFile(pubFile, p.der, 0o600); err != nil {
			t.Fatal(err)
		}
		hsm("import-pubkey", "--in", pubFile, "--label", "kms-"+label)
		out := filepath.Join(dir, label+".bin")
		hsm("wrap", "--key", "label:"+label, "--wrapping-key", "label:kms-"+label, "--algorithm", string(alg), "--out", out)
		wrapped, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		importOK(t, c, id, importInput(id, p.token, wrapped))
		if md := describe(t, c, id); md.KeyState != types.KeyStateEnabled {
			t.Fatalf("state %s after import", md.KeyState)
		}
	}

	for _, k := range []struct {
		spec types.KeySpec
		args []string
	}{
		{types.KeySpecRsa2048, []string{"--type", "rsa", "--bits", "2048"}},
		{types.KeySpecRsa3072, []string{"--type", "rsa", "--bits", "3072"}},
		{types.KeySpecEccNistP256, []string{"--type", "ec", "--curve", "p256"}},
		{types.KeySpecEccNistP384, []string{"--type", "ec", "--curve", "p384"}},
		{types.KeySpecEccNistP521, []string{"--type", "ec", "--curve", "p521"}},
	} {
		t.Run(string(k.spec), func(t *testing.T) {
			label := "hsm-" + string(k.spec)
			var gen struct {
				PublicKey string `json:"public_key"`
			}
			if err := json.Unmarshal([]byte(hsm(append([]string{"keygen", "--label", label, "--json"}, k.args...)...)), &gen); err != nil {
				t.Fatal(err)
			}
			der, err := base64.StdEncoding.DecodeString(gen.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := x509.ParsePKIXPublicKey(der)
			if err != nil {
				t.Fatal(err)
			}
			id := createExternal(t, c, k.spec, types.KeyUsageTypeSignVerify)
			wrapInto(t, id, label, kwSHA256)
			sa := signAlgorithm[k.spec]
			msg := []byte("signed in Trent, verified with the HSM's public key")
			out, err := c.Sign(context.Background(), &kms.SignInput{KeyId: aws.String(id), Message: msg, MessageType: types.MessageTypeRaw, SigningAlgorithm: sa.alg})
			if err != nil {
				t.Fatal(err)
			}
			if !verifyWith(t, pub, sa.alg, sa.hash, msg, out.Signature) {
				t.Errorf("Trent's %s signature does not verify with the HSM's public key", sa.alg)
			}
			if gp, err := c.GetPublicKey(context.Background(), &kms.GetPublicKeyInput{KeyId: aws.String(id)}); err != nil || string(gp.PublicKey) != string(der) {
				t.Errorf("GetPublicKey differs from the HSM's public key: %v", err)
			}
		})
	}

	t.Run("HMAC_256", func(t *testing.T) {
		hsm("keygen", "--type", "hmac", "--bits", "256", "--label", "hsm-hmac")
		id := createExternal(t, c, types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac)
		wrapInto(t, id, "hsm-hmac", types.AlgorithmSpecRsaesOaepSha256)
		msg := []byte("mac me")
		mac, err := c.GenerateMac(context.Background(), &kms.GenerateMacInput{KeyId: aws.String(id), Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha256})
		if err != nil || len(mac.Mac) != 32 {
			t.Fatalf("GenerateMac: %v", err)
		}
		v, err := c.VerifyMac(context.Background(), &kms.VerifyMacInput{KeyId: aws.String(id), Message: msg, Mac: mac.Mac, MacAlgorithm: types.MacAlgorithmSpecHmacSha256})
		if err != nil || !v.MacValid {
			t.Errorf("VerifyMac: %v", err)
		}
	})

	// trent byok import, in one command, with its own proof.
	imp := func(ref string) []string {
		return append([]string{"import", "--wrapping-key-spec", "RSA_2048", "--no-expiry", "--hsm-key", ref}, tf...)
	}
	for _, k := range []struct {
		ref, spec, alg, proof string
	}{
		{"label:hsm-RSA_2048", "RSA_2048", "RSA_AES_KEY_WRAP_SHA_256", "KMS's public key is the HSM's, and KMS's RSASSA_PKCS1_V1_5_SHA_256 signature verifies with it"},
		{"label:hsm-ECC_NIST_P384", "ECC_NIST_P384", "RSA_AES_KEY_WRAP_SHA_256", "KMS's ECDSA_SHA_384 signature verifies with it"},
		{"label:hsm-hmac", "HMAC_256", "RSAES_OAEP_SHA_256", "KMS's GenerateMac (HMAC_SHA_256) equals the HSM's"},
	} {
		t.Run("byok import "+k.spec, func(t *testing.T) {
			r, progress := byokOK(t, imp(k.ref)...)
			if r.KeyState != "Enabled" || r.WrappingAlgorithm != k.alg || !strings.Contains(r.Proof, k.proof) {
				t.Errorf("result %+v\n%s", r, progress)
			}
			if !strings.Contains(progress, "for "+k.spec+" key material") {
				t.Errorf("progress:\n%s", progress)
			}
			md := describe(t, c, r.KeyID)
			if string(md.KeySpec) != k.spec || md.Origin != types.OriginTypeExternal {
				t.Errorf("KMS key %s %s", md.KeySpec, md.Origin)
			}
		})
	}
}

// TestBYOKAsymSoftHSM: SoftHSM2 imports an HMAC key with trent byok
// import (RSAES_OAEP_SHA_1, proved by its own C_Sign HMAC), and refuses a
// key pair before anything is made in KMS: it cannot wrap a PKCS#8 key
// with RSA_AES_KEY_WRAP (see internal/pkcs11/wrap_private.go).
func TestBYOKAsymSoftHSM(t *testing.T) {
	ep := startServer(t)
	c := ep.client()
	byokEnv(t, ep)
	mod := pkcs11test.TempSoftHSM(t)
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(pkcs11test.SoftHSMPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tf := []string{"--module", mod, "--token-label", pkcs11test.SoftHSMLabel, "--pin-file", pinFile}
	mustTrent(t, append([]string{"hsm", "keygen", "--type", "hmac", "--bits", "512", "--label", "soft-hmac"}, tf...)...)
	mustTrent(t, append([]string{"hsm", "keygen", "--type", "ec", "--label", "soft-ec"}, tf...)...)
	imp := func(ref string) []string {
		return append([]string{"import", "--wrapping-key-spec", "RSA_2048", "--no-expiry", "--hsm-key", ref}, tf...)
	}
	code, _, errOut := trent(append([]string{"byok", "export", "--hsm-key", "label:soft-hmac", "--out-dir", t.TempDir(), "--key-id", createExternal(t, c, types.KeySpecSymmetricDefault, types.KeyUsageTypeEncryptDecrypt)}, tf...)...)
	if code != 1 || !strings.Contains(errOut, "is HMAC_512 key material: trent byok export takes AES-256 keys only for now") {
		t.Errorf("byok export of an HMAC key: exit %d\n%s", code, errOut)
	}
	byokFails(t, []string{"step 4 (find the key in the token)", "is HMAC_512 key material: trent byok import creates the KMS key for it (leave out --key-id)"},
		append(imp("label:soft-hmac"), "--key-id", createExternal(t, c, types.KeySpecSymmetricDefault, types.KeyUsageTypeEncryptDecrypt))...)
	r, _ := byokOK(t, imp("label:soft-hmac")...)
	if r.KeyState != "Enabled" || r.WrappingAlgorithm != "RSAES_OAEP_SHA_1" || r.Proof != "KMS's GenerateMac (HMAC_SHA_512) equals the HSM's" {
		t.Errorf("result %+v", r)
	}
	objects, keys := tokenObjects(t, tf), keyIDs(t, c)
	byokFails(t, []string{"step 3 (choose the wrapping algorithm): token \"trent-test\" cannot wrap this ECC_NIST_P256 key with any algorithm KMS accepts for it",
		"cannot wrap a private key with RSA_AES_KEY_WRAP_SHA_256"}, imp("label:soft-ec")...)
	unchanged(t, c, tf, objects, keys)
}

// verifyWith checks a KMS signature (RSASSA or ECDSA, ASN.1 DER) with pub.
func verifyWith(t *testing.T, pub any, alg types.SigningAlgorithmSpec, h crypto.Hash, msg, sig []byte) bool {
	t.Helper()
	var digest []byte
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(msg)
		digest = d[:]
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		digest = d[:]
	case crypto.SHA512:
		d := sha512.Sum512(msg)
		digest = d[:]
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if alg == types.SigningAlgorithmSpecRsassaPssSha384 || alg == types.SigningAlgorithmSpecRsassaPssSha256 || alg == types.SigningAlgorithmSpecRsassaPssSha512 {
			return rsa.VerifyPSS(k, h, digest, sig, nil) == nil
		}
		return rsa.VerifyPKCS1v15(k, h, digest, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, digest, sig)
	}
	t.Fatalf("public key %T", pub)
	return false
}
