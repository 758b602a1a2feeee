package xks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

// authenticator checks a request's SigV4 signature (service
// kms-xks-proxy, the region of its own scope, ±5 minutes, every header
// SignedHeaders lists) against the credentials of the key store its path
// names, and no other store's. Any failure is
// AuthenticationFailedException (401) with sigv4's message, which quotes
// no secret.
type authenticator struct{}

func (authenticator) Authenticate(ctx context.Context, x *frontdoor.Exchange) (identity.Principal, error) {
	c := x.State.(*call)
	akid, err := c.store.verifier.Verify(ctx, x.Request, x.Body)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return identity.Principal{}, newError(AuthenticationFailedException, se.Message)
		}
		return identity.Principal{}, err
	}
	c.akid, c.region = akid, scopeRegion(x.Request.Header.Get("Authorization"))
	// The principal is KMS, known by the store's credential; who KMS
	// acts for is awsPrincipalArn in the body.
	return identity.Principal{Kind: identity.KindUser, ARN: "xks:" + c.store.prefix + ":" + akid,
		AccessKeyID: akid, UserName: signingService}, nil
}

// scopeRegion is the region of a verified Authorization header's
// credential scope.
func scopeRegion(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(cred, ", "); i >= 0 {
		cred = cred[:i]
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return ""
	}
	return parts[len(parts)-3]
}

// serverTLS builds the server's TLS configuration: TLS 1.2 or later, with
// the AES-256-GCM and ChaCha20 suites the specification lists (and
// AES-128-GCM) for TLS 1.2. With mTLS configured, every client must
// present a certificate chaining to the configured CA whose subject common
// name is the configured one; the handshake fails otherwise (Go sends a
// bad_certificate alert; see the package documentation).
func serverTLS(c *xksconfig.TLS) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(c.Cert, c.Key)
	if err != nil {
		return nil, fmt.Errorf("tls: loading the server certificate and key: %w", err)
	}
	conf := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		},
	}
	if c.MTLS == nil {
		return conf, nil
	}
	pem, err := os.ReadFile(c.MTLS.CA)
	if err != nil {
		return nil, fmt.Errorf("tls.mtls.ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("tls.mtls.ca %s: no PEM certificate in it", c.MTLS.CA)
	}
	subject := c.MTLS.Subject
	conf.ClientAuth = tls.RequireAndVerifyClientCert
	conf.ClientCAs = pool
	conf.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("mTLS: no client certificate")
		}
		if cn := cs.PeerCertificates[0].Subject.CommonName; cn != subject {
			return fmt.Errorf("mTLS: client certificate subject CN %q is not the configured %q", cn, subject)
		}
		return nil
	}
	return conf, nil
}
