package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

const (
	testRootID     = "AKIAOPSTESTROOT00000"
	testRootSecret = "ops-test-secret"
)

// runServer runs Run in this process with a fresh data dir and returns
// the API address.
func runServer(t *testing.T, configure func(*Config)) string {
	t.Helper()
	dir := t.TempDir()
	cfg := Config{
		Listen: "127.0.0.1:0", DataDir: dir, Region: "us-east-1", AccountID: "111122223333",
		RootAccessKey: testRootID, RootSecretKey: testRootSecret,
		SweepInterval: 50 * time.Millisecond, AddrFile: filepath.Join(dir, "addr"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if configure != nil {
		configure(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("Run ended early: %v", err)
		default:
		}
		if b, err := os.ReadFile(cfg.AddrFile); err == nil && bytes.HasSuffix(b, []byte("\n")) {
			return strings.TrimSpace(string(b))
		}
	}
	t.Fatal("server did not listen within 20s")
	return ""
}

// kmsCall makes a signed KMS call and returns the status and body.
func kmsCall(t *testing.T, addr, op, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	sigv4.Sign(req, []byte(body), testRootID, []byte(testRootSecret), "us-east-1", "kms", time.Now().UTC())
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	return do(t, req)
}

// samples parses a text exposition into sample line -> value text.
func samples(text string) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		out[line[:i]] = line[i+1:]
	}
	return out
}

func TestOpsEndpoints(t *testing.T) {
	addr := runServer(t, nil)
	status, body := kmsCall(t, addr, "CreateKey", `{}`)
	if status != 200 {
		t.Fatalf("CreateKey: %d %s", status, body)
	}
	var created struct{ KeyMetadata struct{ KeyId string } }
	json.Unmarshal([]byte(body), &created)
	for range 3 {
		if status, body := kmsCall(t, addr, "Encrypt", `{"KeyId":"`+created.KeyMetadata.KeyId+`","Plaintext":"AAAA"}`); status != 200 {
			t.Fatalf("Encrypt: %d %s", status, body)
		}
	}
	if status, _ := kmsCall(t, addr, "DescribeKey", `{"KeyId":"alias/missing"}`); status != 400 {
		t.Fatalf("DescribeKey of a missing alias: %d", status)
	}

	if status, body := get(t, "http://"+addr+"/healthz"); status != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("GET /healthz: %d %s", status, body)
	}
	if status, body := get(t, "http://"+addr+"/readyz"); status != 200 || !strings.Contains(body, `"ready"`) {
		t.Errorf("GET /readyz: %d %s", status, body)
	}
	// POST / is the API, whatever the path: a probe path is not special.
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/healthz", strings.NewReader("{}"))
	if status, body := do(t, req); status != 400 || !strings.Contains(body, "UnknownOperationException") {
		t.Errorf("POST /healthz: %d %s", status, body)
	}

	time.Sleep(120 * time.Millisecond) // a sweep or two
	status, text := get(t, "http://"+addr+"/metrics")
	if status != 200 {
		t.Fatalf("GET /metrics: %d", status)
	}
	got := samples(text)
	for _, want := range []struct{ sample, value string }{
		{`trent_requests_total{operation="CreateKey",outcome="ok"}`, "1"},
		{`trent_requests_total{operation="Encrypt",outcome="ok"}`, "3"},
		{`trent_requests_total{operation="DescribeKey",outcome="NotFoundException"}`, "1"},
		{`trent_requests_total{operation="unknown",outcome="UnknownOperationException"}`, "1"},
		{`trent_requests_total{operation="Decrypt",outcome="ok"}`, "0"}, // pre-registered
		{`trent_request_duration_seconds_count{operation="Encrypt"}`, "3"},
		{`trent_cache_hits_total{cache="material"}`, ""},
		{`trent_cache_misses_total{cache="access_key"}`, ""},
		{`trent_cache_misses_total{cache="key"}`, "0"}, // CreateKey cached it
		{`trent_cache_hits_total{cache="access_key"}`, ""},
		{`trent_store_duration_seconds_count{op="CreateKey"}`, "1"},
		{`trent_store_duration_seconds_count{op="KeysDue"}`, ""},
		{`trent_rootkey_duration_seconds_count{op="seal"}`, ""},
		{`trent_sweeps_total`, ""},
		{`trent_sweep_changes_total`, "0"},
		{`trent_sweep_errors_total`, "0"},
		{`go_goroutines`, ""},
	} {
		v, ok := got[want.sample]
		switch {
		case !ok:
			t.Errorf("no sample %s", want.sample)
		case want.value != "" && v != want.value:
			t.Errorf("%s = %s, want %s", want.sample, v, want.value)
		case want.value == "" && (v == "0" || v == ""):
			t.Errorf("%s = %s, want more than 0", want.sample, v)
		}
	}
	// Encrypt of one key hits the caches after the first call.
	if got[`trent_cache_hits_total{cache="key"}`] == "0" {
		t.Error("no key cache hits")
	}
}

// TestMetricsListen serves the probes and metrics on their own address,
// and then not on the API listener.
func TestMetricsListen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	addr := runServer(t, func(c *Config) { c.MetricsListen = metricsAddr })
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if status, _ := get(t, "http://"+metricsAddr+path); status != 200 {
			t.Errorf("GET %s on the metrics listener: %d", path, status)
		}
		if status, body := get(t, "http://"+addr+path); status != 400 || !strings.Contains(body, "UnknownOperationException") {
			t.Errorf("GET %s on the API listener: %d %s", path, status, body)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+metricsAddr+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "TrentService.ListKeys")
	if status, _ := do(t, req); status == 200 {
		t.Error("the metrics listener serves the API")
	}
}

// failingStore fails every call, or blocks until the context ends.
type failingStore struct {
	store.Store
	block bool
}

func (f failingStore) GetKey(ctx context.Context, id string) (*store.Key, error) {
	if f.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return nil, errors.New("connection refused")
}

type brokenRootKey struct{ rootkey.RootKey }

func (brokenRootKey) Seal([]byte, string) ([]byte, error) { return nil, errors.New("token removed") }

func TestReadiness(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rk, err := rootkey.OpenSoftware(filepath.Join(dir, "root.key"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	probe := func(rd *readiness) (int, readyReport) {
		rep := rd.check(context.Background())
		if rep.Status != "ready" {
			return http.StatusServiceUnavailable, rep
		}
		return http.StatusOK, rep
	}
	if status, rep := probe(newReadiness(st, rk, nil, log)); status != 200 || rep.Status != "ready" ||
		rep.Checks["store"] != "ok" || rep.Checks["root_key"] != "ok" {
		t.Errorf("healthy: %d %+v", status, rep)
	}
	if status, rep := probe(newReadiness(failingStore{Store: st}, brokenRootKey{rk}, nil, log)); status != 503 || rep.Status != "not ready" ||
		rep.Checks["store"] != "failed" || rep.Checks["root_key"] != "failed" {
		t.Errorf("broken: %d %+v", status, rep)
	}
	start := time.Now()
	if status, rep := probe(newReadiness(failingStore{Store: st, block: true}, rk, nil, log)); status != 503 || rep.Checks["store"] != "timeout" {
		t.Errorf("hanging store: %d %+v", status, rep)
	}
	if d := time.Since(start); d > readyTimeout+time.Second {
		t.Errorf("a hanging store held /readyz for %v", d)
	}
}
