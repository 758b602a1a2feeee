// Package e2e drives a real Trent server — in process or as a separate
// trent binary — with real clients: aws-sdk-go-v2, the AWS CLI and boto3.
package e2e

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/server/servertest"
)

const (
	region    = "us-east-1"
	accountID = "111122223333"
)

// endpoint is a running server and the root credentials it created.
type endpoint struct {
	URL     string
	KeyID   string
	Secret  string
	DataDir string
}

// startServer runs server.Run in this process on 127.0.0.1:0 with a fresh
// data dir, and stops it when the test ends.
func startServer(t *testing.T) *endpoint {
	t.Helper()
	return startServerWith(t, nil)
}

// startServerWith is startServer with configure, if not nil, applied to the
// server's configuration before it starts (e.g. to set
// AllowPKCS1v15Wrapping). The server is handed a 127.0.0.1:0 listener, so
// its address is known at once.
func startServerWith(t *testing.T, configure func(*server.Config)) *endpoint {
	t.Helper()
	dir := t.TempDir()
	cfg := server.Config{
		DataDir: dir, Region: region, AccountID: accountID, SweepInterval: time.Second,
		Logger: slog.New(slog.NewTextHandler(serverLog(t), nil)),
	}
	if configure != nil {
		configure(&cfg)
	}
	return serveInProcess(t, cfg)
}

// serveInProcess runs a server.Server for cfg on a 127.0.0.1:0 listener
// until the test ends.
func serveInProcess(t *testing.T, cfg server.Config) *endpoint {
	t.Helper()
	s := servertest.Start(t, cfg)
	ep := &endpoint{URL: s.URL, DataDir: s.DataDir, KeyID: s.KeyID, Secret: s.Secret}
	return keepEvidence(t, ep, nil)
}

// waitReady waits for the server process writing into dir to listen, and
// reads the root credentials it created.
func waitReady(t *testing.T, dir string, done <-chan error) *endpoint {
	t.Helper()
	ep := &endpoint{URL: "http://" + waitAddr(t, dir, done), DataDir: dir}
	ep.KeyID, ep.Secret = servertest.RootCredentials(t, filepath.Join(dir, "root-credentials"))
	return ep
}

// waitAddr waits for the server writing into dir to listen, and returns
// the address.
func waitAddr(t *testing.T, dir string, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("server exited early: %v", err)
		default:
		}
		addr, err := os.ReadFile(filepath.Join(dir, "addr"))
		if err == nil && len(addr) > 0 && addr[len(addr)-1] == '\n' {
			return strings.TrimSpace(string(addr))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server did not start listening within 20s")
	return ""
}

// client returns an aws-sdk-go-v2 KMS client for ep.
func (ep *endpoint) client() *kms.Client {
	return kms.New(kms.Options{
		Region:       region,
		BaseEndpoint: aws.String(ep.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(ep.KeyID, ep.Secret, ""),
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	})
}

var (
	buildOnce sync.Once
	trentBin  string
	buildErr  error
)

// trentBinary builds cmd/trent once per test run.
func trentBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "trent-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		trentBin = filepath.Join(dir, "trent")
		out, err := exec.Command("go", "build", "-o", trentBin, "../cmd/trent").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return trentBin
}

// process is a trent server running as a child process.
type process struct {
	*endpoint
	cmd  *exec.Cmd
	done chan error
	log  *lockedBuilder
}

// startProcess runs `trent server` on dir (which may hold an earlier
// server's data) and waits until it listens.
func startProcess(t *testing.T, dir string) *process {
	t.Helper()
	return startProcessWith(t, dir, nil)
}

// startProcessWith is startProcess with more environment (KEY=VALUE) and
// more flags. With TRENT_ROOT_ACCESS_KEY_ID and TRENT_ROOT_SECRET_ACCESS_KEY
// in env, the endpoint's credentials are those, not the credentials file.
func startProcessWith(t *testing.T, dir string, env []string, args ...string) *process {
	t.Helper()
	os.Remove(filepath.Join(dir, "addr"))
	cmd := exec.Command(trentBinary(t), append([]string{"server", "--listen", "127.0.0.1:0", "--data-dir", dir,
		"--addr-file", filepath.Join(dir, "addr"), "--region", region, "--account-id", accountID}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	p := &process{cmd: cmd, done: make(chan error, 1), log: &lockedBuilder{}}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	var id, secret string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "TRENT_ROOT_ACCESS_KEY_ID="); ok {
			id = v
		} else if v, ok := strings.CutPrefix(kv, "TRENT_ROOT_SECRET_ACCESS_KEY="); ok {
			secret = v
		}
	}
	if id != "" && secret != "" {
		p.endpoint = &endpoint{URL: "http://" + waitAddr(t, dir, p.done), DataDir: dir, KeyID: id, Secret: secret}
	} else {
		p.endpoint = waitReady(t, dir, p.done)
	}
	keepEvidence(t, p.endpoint, p.log.String)
	return p
}

// lockedBuilder is a strings.Builder safe for the process's output
// copiers and a test reading it at once.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// logged reports whether the process has written text to its log within
// timeout: its output reaches the log through a pipe and a copier, after
// the answer the test may already hold.
func (p *process) logged(text string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if strings.Contains(p.log.String(), text) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("trent exited with %v after SIGTERM; log:\n%s", err, p.log)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("trent did not stop within 15s of SIGTERM")
	}
}

// kill sends SIGKILL (as kill -9) and waits for the process to be gone.
func (p *process) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return
	}
	<-p.done
	p.done <- nil // let a later kill or stop return
}
