//go:build cgo

package xks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

// client is the test's XKS client, written from the specification: JSON
// over HTTPS, SigV4 with service kms-xks-proxy, signed by aws-sdk-go-v2.
type client struct {
	f       *fixture
	cred    xksconfig.Credential
	region  string
	service string
	skew    time.Duration       // added to the signing time
	cert    *tls.Certificate    // mTLS client certificate
	mutate  func(*http.Request) // after signing
	method  string
	noSign  bool
}

// as returns a client signing with the store's credential i.
func (f *fixture) as(store, i int) *client {
	return &client{f: f, cred: f.cfg.Stores[store].Credentials[i], region: "us-east-1",
		service: "kms-xks-proxy", method: http.MethodPost}
}

func (f *fixture) httpClient(cert *tls.Certificate) *http.Client {
	if cert == nil {
		f.plainOnce.Do(func() { f.plain = f.newHTTPClient(nil) })
		return f.plain
	}
	return f.newHTTPClient(cert)
}

func (f *fixture) newHTTPClient(cert *tls.Certificate) *http.Client {
	roots := x509.NewCertPool()
	roots.AddCert(f.ca.cert)
	conf := &tls.Config{RootCAs: roots, ServerName: "localhost"}
	if cert != nil {
		conf.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: conf, MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
}

// reply is an answer: its status and JSON body.
type reply struct {
	status int
	body   map[string]any
	raw    []byte
	header http.Header
}

// errorName is the answer's errorName ("" for a success).
func (r reply) errorName() string { s, _ := r.body["errorName"].(string); return s }

// do sends body (marshalled unless it is []byte) to path, signed.
func (c *client) do(path string, body any) (reply, error) {
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return reply{}, err
		}
	}
	req, err := http.NewRequest(c.method, "https://"+c.f.addr+path, bytes.NewReader(b))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if !c.noSign {
		sum := sha256.Sum256(b)
		creds := aws.Credentials{AccessKeyID: c.cred.AccessKeyID, SecretAccessKey: c.cred.SecretAccessKey}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]),
			c.service, c.region, time.Now().Add(c.skew)); err != nil {
			return reply{}, err
		}
	}
	if c.mutate != nil {
		c.mutate(req)
	}
	resp, err := c.f.httpClient(c.cert).Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	r := reply{status: resp.StatusCode, raw: raw, header: resp.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			return r, fmt.Errorf("answer %d is not JSON: %q", resp.StatusCode, raw)
		}
	}
	return r, nil
}

// must is do that fails the test on a transport error.
func (c *client) must(path string, body any) reply {
	c.f.t.Helper()
	r, err := c.do(path, body)
	if err != nil {
		c.f.t.Fatal(err)
	}
	return r
}

// meta is a requestMetadata as KMS sends it.
func meta(principal, op string) map[string]any {
	return map[string]any{"awsPrincipalArn": principal, "kmsOperation": op,
		"kmsRequestId": fmt.Sprintf("req-%d", time.Now().UnixNano()), "kmsKeyArn": kmsKeyARN}
}

// keyPath is the URI path of an API of a key in store A.
func keyPath(keyID, op string) string { return prefixA + "/kms/xks/v1/keys/" + keyID + "/" + op }

// b64 decodes a base64 member of an answer.
func b64(t testing.TB, r reply, name string) []byte {
	t.Helper()
	s, ok := r.body[name].(string)
	if !ok {
		t.Fatalf("answer has no %s: %s", name, r.raw)
	}
	var b []byte
	if err := json.Unmarshal([]byte(`"`+s+`"`), &b); err != nil {
		t.Fatalf("%s is not base64: %v", name, err)
	}
	return b
}

// wantError fails unless r is the error name with the given status.
func wantError(t testing.TB, r reply, status int, name string) {
	t.Helper()
	if r.status != status || r.errorName() != name {
		t.Fatalf("answer %d %s, want %d %s", r.status, r.raw, status, name)
	}
}
