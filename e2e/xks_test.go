//go:build cgo

package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
	"github.com/trent-kms/trent/internal/server"
)

// TestXKSEndToEnd: Trent's KMS with an external key store whose proxy is
// Trent's own (`trent xks serve`, a separate process) in front of an
// AES-256 key in SoftHSM2, driven by the stock AWS CLI. Disabling the key
// in the token makes the next decrypt fail with AWS's exception (nothing is
// cached); enabling it again makes it work.
func TestXKSEndToEnd(t *testing.T) {
	requireTool(t, "the AWS CLI", func() error { _, err := exec.LookPath("aws"); return err })
	mod := pkcs11test.TempSoftHSM(t)
	dir := t.TempDir()
	pinFile := filepath.Join(dir, "pin")
	if err := os.WriteFile(pinFile, []byte(pkcs11test.SoftHSMPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tf := []string{"--module", mod, "--token-label", pkcs11test.SoftHSMLabel, "--pin-file", pinFile}
	for _, label := range []string{"xks-key-1", "xks-health"} {
		mustTrent(t, append(append([]string{"hsm", "keygen"}, tf...), "--label", label, "--size", "32")...)
	}
	caFile, certFile, keyFile := xksPKI(t, dir)

	// The proxy, on a free loopback port, for host name localhost.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	const accessKeyID = "ABCDEFGHIJKLMNOPQRSTUVWX234567"
	secretBytes := make([]byte, 32)
	rand.Read(secretBytes)
	secret := base64.StdEncoding.EncodeToString(secretBytes)
	remember(t, []byte(secret))
	cfg := fmt.Sprintf(`listen: "127.0.0.1:%d"
tls: {cert: %q, key: %q}
pkcs11: {module: %q, token: %q, pinFile: %q, sessions: 2}
auditLog: %q
keyStores:
  - uriPrefix: ""
    healthKey: xks-health
    credentials:
      - {accessKeyId: %s, secretAccessKey: %q}
    keys:
      - {externalKeyId: key-1, label: xks-key-1}
`, port, certFile, keyFile, mod, pkcs11test.SoftHSMLabel, pinFile, filepath.Join(dir, "xks-audit.log"), accessKeyID, secret)
	cfgPath := filepath.Join(dir, "xks.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	proxy := exec.Command(trentBinary(t), "xks", "serve", "--config", cfgPath)
	proxyLog := &lockedBuilder{}
	proxy.Stdout, proxy.Stderr = proxyLog, proxyLog
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Process.Kill(); proxy.Wait() })
	endpoint := fmt.Sprintf("https://localhost:%d", port)
	waitProxy(t, endpoint, caFile, proxyLog)

	ep := startServerWith(t, func(c *server.Config) { c.XksCAFile = caFile })
	// The AWS CLI fetches parameter values that are https:// URLs (the
	// endpoint!) unless told not to.
	awsConfig := filepath.Join(dir, "aws-config")
	if err := os.WriteFile(awsConfig, []byte("[default]\ncli_follow_urlparam = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	aws := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", ep.URL, "--output", "json", "kms"}, args...)...)
		cmd.Env = append(scriptEnv(ep), "AWS_CONFIG_FILE="+awsConfig)
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(ee.Stderr), err
		}
		return string(out), err
	}
	must := func(args ...string) map[string]any {
		t.Helper()
		out, err := aws(args...)
		if err != nil {
			t.Fatalf("aws kms %s: %v: %s\nproxy log:\n%s", strings.Join(args, " "), err, out, proxyLog)
		}
		var m map[string]any
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("%v in %s", err, out)
			}
		}
		return m
	}
	cred := fmt.Sprintf(`{"AccessKeyId":%q,"RawSecretAccessKey":%q}`, accessKeyID, secret)
	id := must("create-custom-key-store", "--custom-key-store-name", "hsm", "--custom-key-store-type", "EXTERNAL_KEY_STORE",
		"--xks-proxy-connectivity", "PUBLIC_ENDPOINT", "--xks-proxy-uri-endpoint", endpoint, "--xks-proxy-uri-path", "/kms/xks/v1",
		"--xks-proxy-authentication-credential", cred)["CustomKeyStoreId"].(string)
	must("connect-custom-key-store", "--custom-key-store-id", id)
	stores := must("describe-custom-key-stores", "--custom-key-store-id", id)["CustomKeyStores"].([]any)
	st := stores[0].(map[string]any)
	if st["ConnectionState"] != "CONNECTED" || strings.Contains(fmt.Sprint(st), secret) {
		t.Fatalf("store: %v", st)
	}
	md := must("create-key", "--origin", "EXTERNAL_KEY_STORE", "--custom-key-store-id", id, "--xks-key-id", "key-1")["KeyMetadata"].(map[string]any)
	keyID := md["KeyId"].(string)
	if md["CustomKeyStoreId"] != id || md["XksKeyConfiguration"].(map[string]any)["Id"] != "key-1" || md["Origin"] != "EXTERNAL_KEY_STORE" {
		t.Fatalf("key metadata: %v", md)
	}
	plaintext := "attack at dawn, via the HSM"
	remember(t, []byte(plaintext))
	ptFile := filepath.Join(dir, "pt")
	os.WriteFile(ptFile, []byte(plaintext), 0o600)
	blob := must("encrypt", "--key-id", keyID, "--plaintext", "fileb://"+ptFile, "--encryption-context", "app=e2e")["CiphertextBlob"].(string)
	raw, _ := base64.StdEncoding.DecodeString(blob)
	ctFile := filepath.Join(dir, "ct")
	os.WriteFile(ctFile, raw, 0o600)
	decrypt := func() (string, error) {
		return aws("decrypt", "--ciphertext-blob", "fileb://"+ctFile, "--encryption-context", "app=e2e")
	}
	out, err := decrypt()
	if err != nil || !strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(plaintext))) {
		t.Fatalf("decrypt: %v %s", err, out)
	}

	// Disable the key in the token: the very next decrypt fails.
	mustTrent(t, append(append([]string{"hsm", "set-attrs"}, tf...), "--object", "label:xks-key-1", "--encrypt=false", "--decrypt=false")...)
	out, err = decrypt()
	if err == nil || !strings.Contains(out, "KMSInvalidStateException") {
		t.Fatalf("decrypt with the HSM key disabled: %v %s", err, out)
	}
	mustTrent(t, append(append([]string{"hsm", "set-attrs"}, tf...), "--object", "label:xks-key-1", "--encrypt", "--decrypt")...)
	if out, err := decrypt(); err != nil || !strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(plaintext))) {
		t.Fatalf("decrypt after re-enabling: %v %s", err, out)
	}

	// Disconnected, the key is Unavailable and nothing reaches the proxy.
	must("disconnect-custom-key-store", "--custom-key-store-id", id)
	if out, err := decrypt(); err == nil || !strings.Contains(out, "KMSInvalidStateException") || !strings.Contains(out, "is unavailable") {
		t.Fatalf("decrypt with the store disconnected: %v %s", err, out)
	}
	if out, err := aws("delete-custom-key-store", "--custom-key-store-id", id); err == nil || !strings.Contains(out, "CustomKeyStoreHasCMKsException") {
		t.Fatalf("delete with a key: %v %s", err, out)
	}
}

// waitProxy waits until the proxy answers on endpoint (any status).
func waitProxy(t *testing.T, endpoint, caFile string, log *lockedBuilder) {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := c.Get(endpoint + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the XKS proxy did not answer on %s; log:\n%s", endpoint, log)
}

// xksPKI writes a CA and a server certificate for localhost signed by it,
// and returns the CA's, the certificate's and the key's PEM files.
func xksPKI(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Trent e2e XKS CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("xks.pem", "CERTIFICATE", leafDER), write("xks.key", "PRIVATE KEY", keyDER)
}
