package xksclient_test

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/xksclient"
	"github.com/trent-kms/trent/internal/xksclient/xkstest"
)

const region = "eu-west-1"

var md = xksclient.RequestMetadata{AwsPrincipalArn: "arn:aws:iam::123456789012:root", KmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/x",
	KmsOperation: "Encrypt", KmsRequestID: "req-1"}

func TestRoundTrip(t *testing.T) {
	s := xkstest.New(t, region)
	c := xksclient.New(xksclient.Config{Region: region, RootCAs: s.CAs()})
	ctx := context.Background()
	h, err := c.GetHealthStatus(ctx, s.Proxy(), xksclient.RequestMetadata{KmsOperation: "ConnectCustomKeyStore", KmsRequestID: "r"})
	if err != nil || !h.Available() || h.XksProxyFleetSize != 1 {
		t.Fatalf("health = %+v, %v", h, err)
	}
	m, err := c.GetKeyMetadata(ctx, s.Proxy(), "key-1", md)
	if err != nil || !m.Usable() {
		t.Fatalf("metadata = %+v, %v", m, err)
	}
	pt, aad := []byte("the inner ciphertext"), []byte("aad")
	sealed, err := c.Encrypt(ctx, s.Proxy(), "key-1", md, pt, aad)
	if err != nil || len(sealed.Ciphertext) != len(pt) || bytes.Equal(sealed.Ciphertext, pt) {
		t.Fatalf("encrypt = %+v, %v", sealed, err)
	}
	got, err := c.Decrypt(ctx, s.Proxy(), "key-1", md, sealed, aad)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("decrypt = %q, %v", got, err)
	}
	if _, err := c.Decrypt(ctx, s.Proxy(), "key-1", md, sealed, []byte("other")); !is(err, xksclient.FailInvalidCiphertext) {
		t.Fatalf("decrypt with other AAD: %v", err)
	}
	calls := s.Calls()
	if len(calls) != 5 || calls[2].API != "Encrypt" || calls[2].Metadata != md {
		t.Fatalf("calls = %+v", calls)
	}
}

func is(err error, f xksclient.Failure) bool {
	g, ok := xksclient.FailureOf(err)
	return ok && g == f
}

func TestFailures(t *testing.T) {
	s := xkstest.New(t, region)
	c := xksclient.New(xksclient.Config{Region: region, RootCAs: s.CAs()})
	ctx := context.Background()
	tests := []struct {
		name  string
		fault xkstest.Fault
		key   string
		want  xksclient.Failure
	}{
		{"slow", xkstest.Fault{Delay: 300 * time.Millisecond}, "key-1", xksclient.FailTimeout},
		{"bad JSON", xkstest.Fault{Body: "{not json"}, "key-1", xksclient.FailInvalidResponse},
		{"empty object", xkstest.Fault{Body: "{}"}, "key-1", xksclient.FailInvalidResponse},
		{"HTTP error without body", xkstest.Fault{Status: 500, Body: "oops"}, "key-1", xksclient.FailInvalidResponse},
		{"unknown errorName", xkstest.Fault{Status: 400, ErrorName: "WhatException"}, "key-1", xksclient.FailInvalidResponse},
		{"throttled", xkstest.Fault{Status: 429, ErrorName: "ThrottlingException"}, "key-1", xksclient.FailThrottling},
		{"internal", xkstest.Fault{Status: 500, ErrorName: "InternalException"}, "key-1", xksclient.FailInternal},
		{"short tag", xkstest.Fault{ShortTag: true}, "key-1", xksclient.FailInvalidResponse},
		{"key not found", xkstest.Fault{}, "nope", xksclient.FailKeyNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.SetFault(tt.fault)
			defer s.SetFault(xkstest.Fault{})
			_, err := c.Encrypt(ctx, s.Proxy(), tt.key, md, []byte("x"), nil)
			if !is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("disabled key", func(t *testing.T) {
		s.SetKey("key-1", func(k *xkstest.Key) { k.Status = "DISABLED" })
		defer s.SetKey("key-1", func(k *xkstest.Key) { k.Status = "ENABLED" })
		if _, err := c.Encrypt(ctx, s.Proxy(), "key-1", md, []byte("x"), nil); !is(err, xksclient.FailInvalidState) {
			t.Fatalf("err = %v", err)
		}
		m, err := c.GetKeyMetadata(ctx, s.Proxy(), "key-1", md)
		if err != nil || m.Usable() {
			t.Fatalf("metadata = %+v, %v", m, err)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		p := s.Proxy()
		p.Secret = "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc="
		if _, err := c.GetHealthStatus(ctx, p, md); !is(err, xksclient.FailAuthentication) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong path", func(t *testing.T) {
		p := s.Proxy()
		p.Path = xkstest.BadPrefix + xkstest.Path
		if _, err := c.GetHealthStatus(ctx, p, md); !is(err, xksclient.FailInvalidURIPath) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		// System roots; a generous budget, as the test is about TLS.
		c := xksclient.New(xksclient.Config{Region: region, Timeout: 5 * time.Second})
		if _, err := c.GetHealthStatus(ctx, s.Proxy(), md); !is(err, xksclient.FailTLS) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := l.Addr().String()
		l.Close()
		p := s.Proxy()
		p.Endpoint = "https://" + addr
		if _, err := c.GetHealthStatus(ctx, p, md); !is(err, xksclient.FailUnreachable) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong plaintext length", func(t *testing.T) {
		sealed, err := c.Encrypt(ctx, s.Proxy(), "key-1", md, []byte("abc"), nil)
		if err != nil {
			t.Fatal(err)
		}
		s.SetFault(xkstest.Fault{Body: `{"plaintext":"YQ=="}`, APIs: []string{"Decrypt"}})
		defer s.SetFault(xkstest.Fault{})
		if _, err := c.Decrypt(ctx, s.Proxy(), "key-1", md, sealed, nil); !is(err, xksclient.FailInvalidResponse) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestErrorTextHasNoSecret(t *testing.T) {
	s := xkstest.New(t, region)
	c := xksclient.New(xksclient.Config{Region: region}) // untrusted: the error carries the transport text
	_, err := c.GetHealthStatus(context.Background(), s.Proxy(), md)
	if err == nil || bytes.Contains([]byte(err.Error()), []byte(xkstest.Secret)) {
		t.Fatalf("err = %v", err)
	}
	if bytes.Contains([]byte(s.Proxy().String()), []byte(xkstest.Secret)) {
		t.Fatal("Proxy.String shows the secret")
	}
}
