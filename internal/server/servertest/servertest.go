// Package servertest runs a real Trent server inside a test: server.New
// on a 127.0.0.1:0 listener, stopped (and its shutdown checked) when the
// test ends. The e2e, console and browser tests share it.
package servertest

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/login"
	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// Server is a running server.
type Server struct {
	// URL is the base URL (http:// or, with cfg.TLSCert, https://).
	URL     string
	DataDir string
	// KeyID and Secret are the account root's access key, as the server
	// bootstrapped it into the data dir.
	KeyID, Secret string
}

// Start runs server.New(cfg) until t ends. Shutdown and Close errors fail
// the test.
func Start(t testing.TB, cfg server.Config) *Server {
	t.Helper()
	srv, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	scheme := "http://"
	if cfg.TLSCert != "" {
		scheme = "https://"
	}
	s := &Server{URL: scheme + ln.Addr().String(), DataDir: cfg.DataDir}
	s.KeyID, s.Secret = RootCredentials(t, filepath.Join(cfg.DataDir, "root-credentials"))
	return s
}

// SetConsolePassword writes the login profile of userName ("" for the
// account root, whose password has no API) into the embedded store of
// dataDir, before a server opens it.
func SetConsolePassword(t testing.TB, dataDir, userName, userID, password string) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dataDir, server.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	err = st.CreateLoginProfile(context.Background(), store.LoginProfile{UserName: userName, UserID: userID,
		PasswordHash: login.Hash(password), CreatedAt: now, PasswordChangedAt: now})
	if err != nil {
		t.Fatal(err)
	}
}

// RootCredentials reads the access key in the shared credentials file at
// path (a data dir's root-credentials).
func RootCredentials(t testing.TB, path string) (id, secret string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			id = strings.TrimSpace(v)
		case "aws_secret_access_key":
			secret = strings.TrimSpace(v)
		}
	}
	if id == "" || secret == "" {
		t.Fatalf("no credentials in %s", path)
	}
	return id, secret
}
