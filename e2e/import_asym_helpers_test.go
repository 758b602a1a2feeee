package e2e

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"hash"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/trent-kms/trent/internal/byok"
)

// Helpers of import_asym_test.go.

const (
	kwSHA1   = types.AlgorithmSpecRsaAesKeyWrapSha1
	kwSHA256 = types.AlgorithmSpecRsaAesKeyWrapSha256
)

// osslDir is a scratch directory where openssl runs.
type osslDir struct {
	t   *testing.T
	dir string
}

func newOSSL(t *testing.T) osslDir {
	t.Helper()
	requireTool(t, "openssl", func() error {
		_, err := exec.LookPath("openssl")
		return err
	})
	return osslDir{t, t.TempDir()}
}

// sh runs an openssl pipeline (AWS's documented commands use pipes) in d.
func (d osslDir) sh(script string) {
	d.t.Helper()
	cmd := exec.Command("sh", "-ec", script)
	cmd.Dir = d.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		d.t.Fatalf("%s: %v\n%s", script, err, out)
	}
}

func (d osslDir) write(name string, b []byte) {
	d.t.Helper()
	if err := os.WriteFile(filepath.Join(d.dir, name), b, 0o600); err != nil {
		d.t.Fatal(err)
	}
}

func (d osslDir) read(name string) []byte {
	d.t.Helper()
	b, err := os.ReadFile(filepath.Join(d.dir, name))
	if err != nil {
		d.t.Fatal(err)
	}
	return b
}

// genPKCS8 makes a private key with AWS's documented command
// (importing-keys-encrypt-key-material: genpkey | pkcs8 -topk8 -outform der).
func (d osslDir) genPKCS8(opt string) []byte {
	d.sh("openssl genpkey -algorithm " + opt + " | openssl pkcs8 -topk8 -outform der -nocrypt > PrivateKey.der")
	der := d.read("PrivateKey.der")
	remember(d.t, der)
	return der
}

// wrapAESKW wraps material with the documented RSA_AES_KEY_WRAP sequence:
// a random AES-256 key, openssl enc -id-aes256-wrap-pad, the AES key under
// RSA-OAEP with pkeyutl, the two concatenated (wrapped AES key first).
func (d osslDir) wrapAESKW(p importParams, material []byte) []byte {
	md := map[types.AlgorithmSpec]string{kwSHA1: "sha1", kwSHA256: "sha256"}[p.alg]
	if md == "" {
		d.t.Fatalf("not an RSA_AES_KEY_WRAP algorithm: %s", p.alg)
	}
	d.write("WrappingPublicKey.bin", p.der)
	d.write("PlaintextKeyMaterial.bin", material)
	d.sh(`openssl rand -out aes-key.bin 32
openssl enc -id-aes256-wrap-pad -K "$(xxd -p < aes-key.bin | tr -d '\n')" -iv A65959A6 -in PlaintextKeyMaterial.bin -out key-material-wrapped.bin
openssl pkeyutl -encrypt -in aes-key.bin -out aes-key-wrapped.bin -inkey WrappingPublicKey.bin -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:` + md + ` -pkeyopt rsa_mgf1_md:` + md + `
cat aes-key-wrapped.bin key-material-wrapped.bin > EncryptedKeyMaterial.bin`)
	out := d.read("EncryptedKeyMaterial.bin")
	if want := p.pub.Size() + (len(material)+7)/8*8 + 8; len(out) != want {
		d.t.Fatalf("EncryptedKeyMaterial is %d bytes, want %d", len(out), want)
	}
	return out
}

// wrapAESKWGo is the same wrapping in Go.
func wrapAESKWGo(t *testing.T, p importParams, material []byte) []byte {
	t.Helper()
	kek := randomBytes(t, 32)
	h := sha256.New()
	if p.alg == kwSHA1 {
		h = oaepHash(t, oaepSHA1)
	}
	head, err := rsa.EncryptOAEP(h, rand.Reader, p.pub, kek, nil)
	if err != nil {
		t.Fatal(err)
	}
	tail, err := byok.KeyWrapPad(kek, material)
	if err != nil {
		t.Fatal(err)
	}
	return append(head, tail...)
}

// goPKCS8 makes a private key with Go and returns it as PKCS#8 DER.
func goPKCS8(t *testing.T, gen func() (crypto.Signer, error)) []byte {
	t.Helper()
	k, err := gen()
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	remember(t, der)
	return der
}

func ecKey(c elliptic.Curve) func() (crypto.Signer, error) {
	return func() (crypto.Signer, error) { return ecdsa.GenerateKey(c, rand.Reader) }
}

// createExternal creates a key of spec and usage with origin EXTERNAL.
func createExternal(t *testing.T, c *kms.Client, spec types.KeySpec, usage types.KeyUsageType) string {
	t.Helper()
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage, Origin: types.OriginTypeExternal})
	if err != nil {
		t.Fatalf("CreateKey(%s, EXTERNAL): %v", spec, err)
	}
	if out.KeyMetadata.KeyState != types.KeyStatePendingImport {
		t.Fatalf("CreateKey(%s, EXTERNAL) state %s", spec, out.KeyMetadata.KeyState)
	}
	return aws.ToString(out.KeyMetadata.KeyId)
}

// importMaterial imports material into id with alg under a wrapping key of
// wrapSpec, wrapped by wrap.
func importMaterial(t *testing.T, c *kms.Client, id string, alg types.AlgorithmSpec, wrapSpec types.WrappingKeySpec, wrap wrapFunc, material []byte) string {
	t.Helper()
	p := getParams(t, c, id, alg, wrapSpec)
	mid := importOK(t, c, id, importInput(id, p.token, wrap(t, p, material)))
	if md := describe(t, c, id); md.KeyState != types.KeyStateEnabled {
		t.Fatalf("state %s after import", md.KeyState)
	}
	return mid
}

// signAlgorithm is the algorithm the test uses per key spec, with its hash.
var signAlgorithm = map[types.KeySpec]struct {
	alg  types.SigningAlgorithmSpec
	hash crypto.Hash
}{
	types.KeySpecRsa2048:             {types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, crypto.SHA256},
	types.KeySpecRsa3072:             {types.SigningAlgorithmSpecRsassaPssSha384, crypto.SHA384},
	types.KeySpecEccNistP256:         {types.SigningAlgorithmSpecEcdsaSha256, crypto.SHA256},
	types.KeySpecEccNistP384:         {types.SigningAlgorithmSpecEcdsaSha384, crypto.SHA384},
	types.KeySpecEccNistP521:         {types.SigningAlgorithmSpecEcdsaSha512, crypto.SHA512},
	types.KeySpecEccSecgP256k1:       {types.SigningAlgorithmSpecEcdsaSha256, crypto.SHA256},
	types.KeySpecEccNistEdwards25519: {types.SigningAlgorithmSpecEd25519Sha512, crypto.SHA512},
}

// localKey is a locally made key: its PKCS#8 DER (raw bytes for HMAC)
// and, for asymmetric keys, its SPKI.
type localKey struct {
	der, spki []byte
}

// localOf completes a local key: the SPKI from Go, or from openssl for
// secp256k1, which Go's x509 does not parse.
func localOf(t *testing.T, d osslDir, spec types.KeySpec, der []byte) localKey {
	t.Helper()
	switch spec {
	case types.KeySpecHmac224, types.KeySpecHmac256, types.KeySpecHmac384, types.KeySpecHmac512:
		return localKey{der: der}
	case types.KeySpecEccSecgP256k1:
		d.write("k.der", der)
		d.sh("openssl pkey -inform DER -in k.der -pubout -outform DER -out pub.der")
		return localKey{der: der, spki: d.read("pub.der")}
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(priv.(crypto.Signer).Public())
	if err != nil {
		t.Fatal(err)
	}
	return localKey{der: der, spki: spki}
}

// localSign signs msg with the local key: Go, or openssl dgst for
// secp256k1.
func localSign(t *testing.T, d osslDir, spec types.KeySpec, k localKey, msg []byte) []byte {
	t.Helper()
	sa := signAlgorithm[spec]
	if spec == types.KeySpecEccSecgP256k1 {
		d.write("k.der", k.der)
		d.write("msg", msg)
		d.sh("openssl dgst -sha256 -sign k.der -keyform DER -out sig msg")
		return d.read("sig")
	}
	priv, err := x509.ParsePKCS8PrivateKey(k.der)
	if err != nil {
		t.Fatal(err)
	}
	var opts crypto.SignerOpts = sa.hash
	digest := msg // Ed25519 signs the message itself
	if _, ok := priv.(ed25519.PrivateKey); ok {
		opts = crypto.Hash(0)
	} else {
		h := sa.hash.New()
		h.Write(msg)
		digest = h.Sum(nil)
	}
	if sa.alg == types.SigningAlgorithmSpecRsassaPssSha384 {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: sa.hash}
	}
	sig, err := priv.(crypto.Signer).Sign(rand.Reader, digest, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// localVerify verifies sig over msg with the local public key.
func localVerify(t *testing.T, d osslDir, spec types.KeySpec, k localKey, msg, sig []byte) bool {
	t.Helper()
	sa := signAlgorithm[spec]
	if spec == types.KeySpecEccSecgP256k1 {
		d.write("pub.der", k.spki)
		d.write("msg", msg)
		d.write("sig", sig)
		cmd := exec.Command("openssl", "dgst", "-sha256", "-verify", "pub.der", "-keyform", "DER", "-signature", "sig", "msg")
		cmd.Dir = d.dir
		return cmd.Run() == nil
	}
	pub, err := x509.ParsePKIXPublicKey(k.spki)
	if err != nil {
		t.Fatal(err)
	}
	h := sa.hash.New()
	h.Write(msg)
	digest := h.Sum(nil)
	switch pub := pub.(type) {
	case ed25519.PublicKey:
		return ed25519.Verify(pub, msg, sig)
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(pub, digest, sig)
	case *rsa.PublicKey:
		if sa.alg == types.SigningAlgorithmSpecRsassaPssSha384 {
			return rsa.VerifyPSS(pub, sa.hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil
		}
		return rsa.VerifyPKCS1v15(pub, sa.hash, digest, sig) == nil
	}
	t.Fatalf("unexpected public key %T", pub)
	return false
}

// checkLocalKey shows that key id computes with the local key k.
func checkLocalKey(t *testing.T, c *kms.Client, d osslDir, id string, spec types.KeySpec, k localKey) {
	t.Helper()
	ctx := context.Background()
	msg := randomBytes(t, 40)
	if k.spki == nil { // HMAC
		alg := map[types.KeySpec]types.MacAlgorithmSpec{
			types.KeySpecHmac224: types.MacAlgorithmSpecHmacSha224, types.KeySpecHmac256: types.MacAlgorithmSpecHmacSha256,
			types.KeySpecHmac384: types.MacAlgorithmSpecHmacSha384, types.KeySpecHmac512: types.MacAlgorithmSpecHmacSha512,
		}[spec]
		out, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: aws.String(id), Message: msg, MacAlgorithm: alg})
		if err != nil {
			t.Fatalf("GenerateMac: %v", err)
		}
		hf := map[types.KeySpec]func() hash.Hash{types.KeySpecHmac224: sha256.New224, types.KeySpecHmac256: sha256.New,
			types.KeySpecHmac384: sha512.New384, types.KeySpecHmac512: sha512.New}[spec]
		local := hmac.New(hf, k.der)
		local.Write(msg)
		if !hmac.Equal(out.Mac, local.Sum(nil)) {
			t.Fatal("GenerateMac differs from crypto/hmac of the imported material")
		}
		return
	}
	pub, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(id)})
	if err != nil || !bytes.Equal(pub.PublicKey, k.spki) {
		t.Fatalf("GetPublicKey is not the local public key's SPKI (err %v)", err)
	}
	sa := signAlgorithm[spec]
	sig, err := c.Sign(ctx, &kms.SignInput{KeyId: aws.String(id), Message: msg, SigningAlgorithm: sa.alg})
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if !localVerify(t, d, spec, k, msg, sig.Signature) {
		t.Fatalf("Trent's %s signature does not verify with the local public key", sa.alg)
	}
	ver, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(id), Message: msg, SigningAlgorithm: sa.alg, Signature: localSign(t, d, spec, k, msg)})
	if err != nil || !ver.SignatureValid {
		t.Fatalf("a local signature does not verify with Trent's Verify: %v", err)
	}
}
