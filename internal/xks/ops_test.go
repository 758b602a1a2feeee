//go:build cgo

package xks

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

func healthOf(t *testing.T, c *client) string {
	t.Helper()
	r := c.must(prefixA+"/kms/xks/v1/health", map[string]any{"requestMetadata": meta(alice, "KmsHealthCheck")})
	if r.status != 200 {
		t.Fatalf("health: %d %s", r.status, r.raw)
	}
	return r.body["ekmFleetDetails"].([]any)[0].(map[string]any)["healthStatus"].(string)
}

func probe(t *testing.T, f *fixture) int {
	t.Helper()
	resp, err := f.httpClient(nil).Get("https://" + f.addr + ProbePath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestHealthUnavailable: the deep check fails when its test key is gone
// from the token, and when the token cannot be reached at all; results
// are cached for the TTL.
func TestHealthUnavailable(t *testing.T) {
	f := newFixture(t, fixtureOptions{healthTTL: 300 * time.Millisecond})
	c := f.as(0, 0)
	if s := healthOf(t, c); s != healthActive {
		t.Fatalf("health %s", s)
	}
	objs, err := f.srv.pool.Token().FindObjects(pkcs11.Filter{Class: "secret-key", Label: f.labels["health"]})
	if err != nil || len(objs) != 1 {
		t.Fatalf("FindObjects: %v, %v", objs, err)
	}
	if err := f.srv.pool.Token().DestroyObject(objs[0].Handle); err != nil {
		t.Fatal(err)
	}
	if s := healthOf(t, c); s != healthActive {
		t.Fatalf("health %s within the cache TTL, want the cached ACTIVE", s)
	}
	time.Sleep(350 * time.Millisecond)
	if s := healthOf(t, c); s != healthUnavailable {
		t.Fatalf("health %s with the test key deleted", s)
	}
	if code := probe(t, f); code != http.StatusServiceUnavailable {
		t.Fatalf("probe %d with the test key deleted", code)
	}

	// The token unreachable: every session call fails. The pool closed
	// underneath the proxy is how a test makes every token call fail.
	f.cfg.Stores[0].HealthKey = f.labels["main"] // a key that exists: only reachability matters now
	f.writeConfig()
	waitFor(t, func() bool { return healthOf(t, c) == healthActive })
	f.srv.pool.Close()
	time.Sleep(350 * time.Millisecond)
	if s := healthOf(t, c); s != healthUnavailable {
		t.Fatalf("health %s with the token unreachable", s)
	}
	r := c.must(keyPath("k1", "encrypt"), map[string]any{"requestMetadata": meta(alice, "Encrypt"),
		"plaintext": []byte("x"), "encryptionAlgorithm": "AES_GCM"})
	wantError(t, r, http.StatusServiceUnavailable, DependencyTimeoutException)
	wantError(t, c.must(keyPath("k1", "metadata"), map[string]any{"requestMetadata": meta(alice, "CreateKey")}),
		http.StatusServiceUnavailable, DependencyTimeoutException)
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 5 s")
}

// TestCredentialRotation edits the configuration file under a serving
// proxy: the added credential works and the removed one fails, without a
// restart; a broken file keeps the configuration in force; SIGHUP
// reloads too.
func TestCredentialRotation(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	body := map[string]any{"requestMetadata": meta(alice, "CreateKey")}
	ok := func(c *client) bool { return c.must(keyPath("k1", "metadata"), body).status == 200 }
	old := f.as(0, 0)
	kept := f.as(0, 1)
	if !ok(old) || !ok(kept) {
		t.Fatal("the initial credentials do not work")
	}
	fresh := xksconfig.NewCredential()
	f.cfg.Stores[0].Credentials = []xksconfig.Credential{f.cfg.Stores[0].Credentials[1], fresh}
	f.writeConfig()
	newer := &client{f: f, cred: fresh, region: "us-east-1", service: "kms-xks-proxy", method: http.MethodPost}
	waitFor(t, func() bool { return ok(newer) })
	if ok(old) {
		t.Fatal("the removed credential still works")
	}
	if !ok(kept) {
		t.Fatal("the kept credential no longer works")
	}

	reloads := f.srv.Reloads()
	if err := os.WriteFile(f.cfgPath, []byte("keyStores: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		logMu.Lock()
		defer logMu.Unlock()
		return strings.Contains(f.logs.String(), "xks config reload failed")
	})
	if !ok(newer) || f.srv.Reloads() != reloads {
		t.Fatal("a broken configuration file replaced the configuration in force")
	}
	// A file others may read is refused as well, and says why.
	f.writeConfig()
	if err := os.Chmod(f.cfgPath, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Reload(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("Reload of a world-readable file: %v", err)
	}
	if err := os.Chmod(f.cfgPath, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Reload(); err != nil {
		t.Fatal(err)
	}

	// SIGHUP: the file changed with its old modification time kept, so
	// that only the signal can make the proxy see it.
	waitFor(t, func() bool { return f.srv.Reloads() > reloads })
	reloads = f.srv.Reloads()
	fi, err := os.Stat(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	f.cfg.Stores[0].Credentials = f.cfg.Stores[0].Credentials[1:]
	f.writeConfig()
	if err := os.Chtimes(f.cfgPath, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if !ok(kept) {
		t.Fatal("the proxy reloaded without a signal or a new modification time")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return f.srv.Reloads() > reloads })
	if ok(kept) || !ok(newer) {
		t.Fatal("SIGHUP did not apply the new credentials")
	}
}

// TestMTLS requires a client certificate from the configured CA with the
// configured subject; anything else fails the handshake.
func TestMTLS(t *testing.T) {
	f := newFixture(t, fixtureOptions{mtls: true})
	other := newCA(t, "Other CA")
	good := f.ca.clientCert(t, kmsCN)
	wrongSubject := f.ca.clientCert(t, "cks.kms.evil.example.com")
	wrongCA := other.clientCert(t, kmsCN)
	body := map[string]any{"requestMetadata": meta(alice, "CreateKey")}
	for _, tc := range []struct {
		name string
		cert *tls.Certificate
		ok   bool
	}{
		{"KMS's certificate", &good, true},
		{"no certificate", nil, false},
		{"another CA", &wrongCA, false},
		{"another subject", &wrongSubject, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.as(0, 0)
			c.cert = tc.cert
			r, err := c.do(keyPath("k1", "metadata"), body)
			if tc.ok {
				if err != nil || r.status != 200 {
					t.Fatalf("%v %d %s", err, r.status, r.raw)
				}
				return
			}
			if err == nil {
				t.Fatalf("the handshake succeeded: %d %s", r.status, r.raw)
			}
		})
	}
}

// TestAudit: every request has an audit record with its kmsRequestId, and
// neither the audit trail nor the log holds plaintext.
func TestAudit(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	c := f.as(0, 0)
	secret := []byte("very secret plaintext 0123456789")
	md := meta(alice, "Encrypt")
	md["kmsRequestId"] = "5112f4d6-db54-4af4-ae30-c55a22a8dfae"
	r := c.must(keyPath("k1", "encrypt"), map[string]any{"requestMetadata": md, "plaintext": secret,
		"encryptionAlgorithm": "AES_GCM", "additionalAuthenticatedData": []byte("aad")})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	dmd := meta(alice, "Decrypt")
	dmd["kmsRequestId"] = "6112f4d6-db54-4af4-ae30-c55a22a8dfae"
	d := c.must(keyPath("k1", "decrypt"), map[string]any{"requestMetadata": dmd, "ciphertext": b64(t, r, "ciphertext"),
		"initializationVector": b64(t, r, "initializationVector"), "authenticationTag": b64(t, r, "authenticationTag"),
		"ciphertextMetadata": b64(t, r, "ciphertextMetadata"), "additionalAuthenticatedData": []byte("aad"), "encryptionAlgorithm": "AES_GCM"})
	if d.status != 200 {
		t.Fatalf("%d %s", d.status, d.raw)
	}
	wantError(t, f.as(0, 0).must(keyPath("guarded", "encrypt"), map[string]any{"requestMetadata": meta(bob, "Encrypt"),
		"plaintext": secret, "encryptionAlgorithm": "AES_GCM"}), 403, AccessDeniedException)

	raw, err := os.ReadFile(f.cfg.AuditLog)
	if err != nil {
		t.Fatal(err)
	}
	logMu.Lock()
	logs := f.logs.String()
	logMu.Unlock()
	for _, leak := range [][]byte{secret, []byte(base64.StdEncoding.EncodeToString(secret))} {
		if bytes.Contains(raw, leak) || strings.Contains(logs, string(leak)) {
			t.Fatalf("plaintext %q in the audit trail or the log", leak)
		}
	}
	recs := map[string]audit.Record{}
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var rec audit.Record
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		var p auditParams
		if err := json.Unmarshal(rec.RequestParameters, &p); err != nil {
			t.Fatal(err)
		}
		if p.Metadata != nil {
			recs[p.Metadata.KMSRequestID] = rec
		}
	}
	for id, want := range map[string]string{md["kmsRequestId"].(string): "Encrypt", dmd["kmsRequestId"].(string): "Decrypt"} {
		rec, ok := recs[id]
		if !ok || rec.EventName != want || rec.ErrorCode != "" || rec.EventSource != eventSource ||
			rec.UserIdentity.ARN != alice || rec.UserIdentity.AccessKeyID != f.cfg.Stores[0].Credentials[0].AccessKeyID ||
			rec.AWSRegion != "us-east-1" || len(rec.Resources) != 1 || rec.Resources[0].ARN != kmsKeyARN {
			t.Fatalf("record of %s: %+v", id, rec)
		}
	}
	if !strings.Contains(string(raw), `"errorCode":"AccessDeniedException"`) {
		t.Fatal("the denied request has no audit record")
	}
	if !strings.Contains(logs, "kms_request_id="+md["kmsRequestId"].(string)) {
		t.Fatal("the request log has no kmsRequestId")
	}
}
