package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func testConfig(dir string) Config {
	return Config{
		DataDir: dir, Region: "us-east-1", AccountID: "111122223333",
		RootAccessKey: testRootID, RootSecretKey: testRootSecret, SweepInterval: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// TestServerLifecycle: New opens, Serve serves on the caller's listener
// (so the caller knows the address), Shutdown stops Serve with nil, Close
// releases the data dir, which a second server may then open.
func TestServerLifecycle(t *testing.T) {
	dir := t.TempDir()
	s, err := New(context.Background(), testConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(context.Background(), ln) }()
	addr := ln.Addr().String()
	if status, body := kmsCall(t, addr, "ListKeys", `{}`); status != 200 || !strings.Contains(body, `"Keys"`) {
		t.Fatalf("ListKeys: %d %s", status, body)
	}

	// The data dir is the server's alone while it is open.
	if _, err := New(context.Background(), testConfig(dir)); err == nil || !strings.Contains(err.Error(), "lock") {
		t.Fatalf("a second server on the same data dir: %v, want a lock error", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("still answering after Shutdown")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	s2, err := New(context.Background(), testConfig(dir))
	if err != nil {
		t.Fatalf("New after Close: %v", err)
	}
	s2.Close()
}

// TestServeEndsWithItsContext: the end of Serve's context shuts down.
func TestServeEndsWithItsContext(t *testing.T) {
	s, err := New(context.Background(), testConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}

// TestNewFailsCleanly: a configuration New cannot open gives an error, not
// a panic, and leaves the data dir free.
func TestNewFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.TLSCert = "/nonexistent/cert.pem"
	cfg.TLSKey = "/nonexistent/key.pem"
	if _, err := New(context.Background(), cfg); err == nil {
		t.Fatal("New with a missing certificate succeeded")
	}
	cfg = testConfig(dir)
	cfg.RootKey = "pkcs11:token=none;object=none"
	if _, err := New(context.Background(), cfg); err == nil {
		t.Fatal("New with an unusable root key succeeded")
	}
	s, err := New(context.Background(), testConfig(dir))
	if err != nil {
		t.Fatalf("New after failed attempts: %v", err)
	}
	s.Close()
}
