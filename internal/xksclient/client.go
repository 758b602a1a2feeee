// Package xksclient is the KMS side of the AWS KMS External Key Store
// (XKS) proxy API: it calls an XKS proxy's four APIs (GetHealthStatus,
// GetKeyMetadata, Encrypt, Decrypt) as AWS KMS does.
//
// # Contract
//
// Every call is an HTTPS POST of JSON to <endpoint><path>/..., signed with
// SigV4 for the service "kms-xks-proxy" in the client's region with the
// key store's proxy credential, carrying the spec's requestMetadata. A call
// has a budget of 250 ms (the spec's KMS timeout), whatever the caller's
// context allows. A response is checked against the spec before it is
// returned: a missing or ill-formed field, or a length the spec forbids,
// is FailInvalidResponse. Every failure is an *Error with a Failure the
// kms core maps to AWS's exceptions; nothing is retried and nothing is
// cached, so every operation asks the proxy.
//
// # Trust
//
// The proxy's server certificate must chain to Config.RootCAs (the
// system roots when nil) and match the endpoint's host name. AWS accepts
// only public CAs and the default port; Trent lets the operator name the
// CAs (--xks-ca-file) and accepts a port, for private deployments and
// tests. HTTP proxies from the environment are not used: the proxy is
// reached directly.
package xksclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/trent-kms/trent/internal/sigv4"
)

// Service is the SigV4 service name of XKS proxy requests.
const Service = "kms-xks-proxy"

// DefaultTimeout is the spec's budget for one call to a proxy.
const DefaultTimeout = 250 * time.Millisecond

// maxResponse bounds a proxy's answer: the largest legal one (a decrypted
// 4 KiB plaintext, or ten fleet entries) is far smaller.
const maxResponse = 64 << 10

// Config configures a Client. Region is required.
type Config struct {
	Region  string         // the region KMS signs for
	RootCAs *x509.CertPool // CAs trusted for proxies; nil means the system roots
	Timeout time.Duration  // per call; DefaultTimeout if zero
	Now     func() time.Time
}

// Client calls XKS proxies. It is safe for concurrent use and keeps
// connections alive between calls.
type Client struct {
	cfg  Config
	http *http.Client
}

// New returns a Client.
func New(cfg Config) *Client {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RootCAs == nil {
		// Load the system roots now: loaded lazily, they would be read on
		// the first call, inside its 250 ms budget.
		if pool, err := x509.SystemCertPool(); err == nil {
			cfg.RootCAs = pool
		}
	}
	tr := &http.Transport{
		Proxy:               nil,
		TLSClientConfig:     &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Client{cfg: cfg, http: &http.Client{Transport: tr}}
}

// LoadCAFile reads a PEM file of CA certificates for Config.RootCAs.
func LoadCAFile(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("xksclient: %s holds no PEM certificate", path)
	}
	return pool, nil
}

// Proxy is where a key store's proxy is and how requests to it are
// signed. Secret is the raw secret access key; it is never logged
// (String omits it).
type Proxy struct {
	Endpoint    string // https://host[:port]
	Path        string // [/prefix]/kms/xks/v1
	AccessKeyID string
	Secret      string
}

func (p Proxy) String() string { return p.Endpoint + p.Path + " (" + p.AccessKeyID + ")" }

// RequestMetadata is the spec's requestMetadata: who asks, for which KMS
// key, in which KMS operation and request.
type RequestMetadata struct {
	AwsPrincipalArn string `json:"awsPrincipalArn,omitempty"`
	KmsKeyArn       string `json:"kmsKeyArn,omitempty"`
	KmsOperation    string `json:"kmsOperation"`
	KmsRequestID    string `json:"kmsRequestId"`
}

// errorBody is a proxy's error answer.
type errorBody struct {
	ErrorName    string `json:"errorName"`
	ErrorMessage string `json:"errorMessage"`
}

// call POSTs in to p's path suffix and decodes a 200 answer into out.
func (c *Client) call(ctx context.Context, api string, p Proxy, suffix string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Endpoint+p.Path+suffix, bytes.NewReader(body))
	if err != nil {
		// An endpoint that is not a URL: the key store's configuration.
		return &Error{API: api, Failure: FailUnreachable, Detail: "bad endpoint"}
	}
	req.Header.Set("Content-Type", "application/json")
	// Trent's own signer, whose canonical form its verifier shares (pinned
	// by the AWS test suite); it keeps no signing key between calls, so a
	// secret changed by UpdateCustomKeyStore is used at once.
	sigv4.Sign(req, body, p.AccessKeyID, []byte(p.Secret), c.cfg.Region, Service, c.cfg.Now())
	resp, err := c.http.Do(req)
	if err != nil {
		return &Error{API: api, Failure: transportFailure(err), Detail: err.Error()}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	switch {
	case err != nil:
		return &Error{API: api, Failure: transportFailure(err), Detail: err.Error()}
	case len(raw) > maxResponse:
		return invalid(api, "response too large")
	case resp.StatusCode != http.StatusOK:
		return answerError(api, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return invalid(api, "response is not the expected JSON")
	}
	return nil
}

// answerError turns an error answer into an *Error: its errorName decides
// the failure; an answer without a known errorName is FailInvalidResponse.
func answerError(api string, status int, raw []byte) error {
	var eb errorBody
	if json.Unmarshal(raw, &eb) != nil || eb.ErrorName == "" {
		return invalid(api, fmt.Sprintf("HTTP %d without an error body", status))
	}
	f, ok := errorNames[eb.ErrorName]
	if !ok {
		return invalid(api, fmt.Sprintf("HTTP %d with unknown errorName", status))
	}
	detail := eb.ErrorMessage
	if len(detail) > 512 {
		detail = detail[:512]
	}
	return &Error{API: api, Failure: f, Detail: detail}
}

func invalid(api, detail string) error {
	return &Error{API: api, Failure: FailInvalidResponse, Detail: detail}
}

// errMissing is the detail of a response that lacks a required field.
var errMissing = errors.New("required field missing or ill-formed")
