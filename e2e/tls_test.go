package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/trent-kms/trent/internal/server"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// as PEM files in dir, and returns their paths and a pool trusting it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "trent test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// secureTransportPolicy lets the account root do everything, except over
// plain HTTP.
const secureTransportPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"https only","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`

// TestTLS serves the API over HTTPS with --tls-cert/--tls-key and drives
// it with the SDK trusting a certificate made for the test: requests carry
// aws:SecureTransport true, TLS below 1.2 and plain HTTP are refused, and
// the probes answer on the same listener.
func TestTLS(t *testing.T) {
	ctx := context.Background()
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	ep := startServerWith(t, func(c *server.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	ep.URL = strings.Replace(ep.URL, "http://", "https://", 1)
	httpClient := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
	c := kms.New(kms.Options{
		Region: region, BaseEndpoint: aws.String(ep.URL), HTTPClient: httpClient,
		Credentials: credentials.NewStaticCredentialsProvider(ep.KeyID, ep.Secret, ""),
	})
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(secureTransportPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	remember(t, []byte("over TLS"))
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("over TLS")})
	if err != nil {
		t.Fatalf("Encrypt over TLS under a policy denying plain HTTP: %v", err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "over TLS" {
		t.Fatalf("Decrypt = %v, %v", dec, err)
	}

	// The same policy on a plain HTTP server denies: the condition key
	// really comes from the connection.
	plain := startServer(t).client()
	pk, err := plain.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(secureTransportPolicy), BypassPolicyLockoutSafetyCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = plain.Encrypt(ctx, &kms.EncryptInput{KeyId: pk.KeyMetadata.KeyId, Plaintext: []byte("x")})
	var denied smithy.APIError
	if !errors.As(err, &denied) || denied.ErrorCode() != "AccessDeniedException" {
		t.Fatalf("Encrypt over plain HTTP under the policy: %v, want AccessDeniedException", err)
	}

	host := strings.TrimPrefix(ep.URL, "https://")
	// TLS 1.1 is refused.
	conn, err := tls.Dial("tcp", host, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
	if err == nil {
		conn.Close()
		t.Error("a TLS 1.1 handshake succeeded")
	}
	// TLS 1.2 exactly is accepted.
	conn, err = tls.Dial("tcp", host, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12})
	if err != nil {
		t.Errorf("TLS 1.2 handshake: %v", err)
	} else {
		conn.Close()
	}
	// Plain HTTP on the TLS port gets no API.
	resp, err := http.Post("http://"+host+"/", "application/x-amz-json-1.1", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP to the TLS listener: %d", resp.StatusCode)
		}
	}
	// The probes are on the TLS listener too.
	resp, err = httpClient.Get(ep.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var ready struct{ Status string }
	if resp.StatusCode != 200 || json.Unmarshal(body, &ready) != nil || ready.Status != "ready" {
		t.Errorf("GET /readyz over TLS: %d %s", resp.StatusCode, body)
	}
}
