//go:build cgo

package xks

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

func TestMain(m *testing.M) { os.Exit(pkcs11test.Main(m)) }

const (
	alice     = "arn:aws:iam::111122223333:user/alice"
	bob       = "arn:aws:iam::111122223333:user/bob"
	kmsKeyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	kmsCN     = "cks.kms.us-east-1.amazonaws.com"
	prefixA   = "/tenant-a"
)

// fixture is a running proxy on the test SoftHSM2 token, its PKI and
// configuration file, and the token keys it serves.
type fixture struct {
	t       testing.TB
	dir     string
	cfgPath string
	cfg     xksconfig.Config
	ca      *testCA
	srv     *Server
	addr    string
	labels  map[string]string // role → token key label
	logs    *bytes.Buffer

	plainOnce sync.Once
	plain     *http.Client // without a client certificate, shared (keep-alive)
}

// fixtureOptions vary the proxy a test gets.
type fixtureOptions struct {
	mtls      bool
	healthTTL time.Duration
	sessions  int
	// token, if set, configures the token instead of softHSMConfig.
	token func(testing.TB) xksconfig.PKCS11
}

// softHSMConfig is the pool configuration of the test token.
func softHSMConfig(t testing.TB) xksconfig.PKCS11 {
	mod := pkcs11test.SoftHSM(t)
	return xksconfig.PKCS11{Module: mod, Token: pkcs11test.SoftHSMLabel, PINEnv: "TRENT_TEST_XKS_PIN"}
}

// makeKeys generates AES-256 token keys for the roles, with the usage
// flags each role needs, under fresh labels.
func makeKeys(t testing.TB, p xksconfig.PKCS11) map[string]string {
	t.Helper()
	pc := pkcs11.Config{Module: p.Module, TokenLabel: p.Token, NSSDB: p.NSSDB}
	if p.PINEnv != "" {
		pc.PIN = func(pkcs11.TokenInfo) (string, error) { return pkcs11test.SoftHSMPIN, nil }
	}
	tok, err := pkcs11.Open(pc)
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	n := time.Now().UnixNano()
	labels := map[string]string{}
	for role, use := range map[string][2]bool{"main": {true, true}, "enc-only": {true, false}, "dec-only": {false, true},
		"disabled": {false, false}, "health": {true, true}, "b": {true, true}, "doomed": {true, true}} {
		label := fmt.Sprintf("xks-%d-%s", n, role)
		spec := pkcs11.KeySpec{Type: pkcs11.KeyTypeAES, Bytes: 32, Label: label, Token: true, Private: true,
			Sensitive: true, Modifiable: true, Encrypt: use[0], Decrypt: use[1]}
		if _, err := tok.GenerateSecretKey(spec); err != nil {
			t.Fatal(err)
		}
		labels[role] = label
	}
	return labels
}

func newFixture(t testing.TB, o fixtureOptions) *fixture {
	t.Helper()
	t.Setenv("TRENT_TEST_XKS_PIN", pkcs11test.SoftHSMPIN)
	f := &fixture{t: t, dir: t.TempDir(), ca: newCA(t, "Test XKS CA"), logs: &bytes.Buffer{}}
	token := softHSMConfig
	if o.token != nil {
		token = o.token
	}
	p11 := token(t)
	p11.Sessions = o.sessions
	f.labels = makeKeys(t, p11)
	certPEM, keyPEM := f.ca.issue(t, "localhost", true)
	f.cfg = xksconfig.Config{
		Listen: "127.0.0.1:0",
		TLS: xksconfig.TLS{Cert: writeFile(t, f.dir, "server.pem", certPEM),
			Key: writeFile(t, f.dir, "server.key", keyPEM)},
		PKCS11:   p11,
		AuditLog: filepath.Join(f.dir, "audit.log"),
		Stores: []xksconfig.Store{
			{URIPrefix: prefixA, HealthKey: f.labels["health"],
				Credentials: []xksconfig.Credential{xksconfig.NewCredential(), xksconfig.NewCredential()},
				Keys: []xksconfig.Key{
					{ExternalKeyID: "k1", Label: f.labels["main"]},
					{ExternalKeyID: "enc-only", Label: f.labels["enc-only"]},
					{ExternalKeyID: "dec-only", Label: f.labels["dec-only"]},
					{ExternalKeyID: "disabled", Label: f.labels["disabled"]},
					{ExternalKeyID: "doomed", Label: f.labels["doomed"]},
					{ExternalKeyID: "missing", Label: f.labels["main"] + "-not-in-token"},
					{ExternalKeyID: "guarded", Label: f.labels["main"], Allow: []xksconfig.Rule{
						{Principal: alice, Operations: []string{"Encrypt", "GenerateDataKey"}},
						{Principal: "*", Operations: []string{"CreateKey"}}}},
				}},
			{URIPrefix: "", HealthKey: f.labels["health"],
				Credentials: []xksconfig.Credential{xksconfig.NewCredential()},
				Keys:        []xksconfig.Key{{ExternalKeyID: "k1", Label: f.labels["b"]}}},
		},
	}
	if o.mtls {
		f.cfg.TLS.MTLS = &xksconfig.MTLS{CA: writeFile(t, f.dir, "client-ca.pem", f.ca.pem), Subject: kmsCN}
	}
	f.cfgPath = filepath.Join(f.dir, "xks.yaml")
	f.writeConfig()
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: f.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := Open(Options{ConfigPath: f.cfgPath, Logger: log, Version: "test", HealthTTL: o.healthTTL,
		ReloadPoll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
		srv.Close()
		if t.Failed() {
			logMu.Lock()
			t.Logf("proxy log:\n%s", f.logs.String())
			logMu.Unlock()
		}
	})
	return f
}

// writeConfig writes f.cfg to the configuration file (atomically, 0600).
func (f *fixture) writeConfig() {
	f.t.Helper()
	b, err := yaml.Marshal(&f.cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	tmp := f.cfgPath + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Rename(tmp, f.cfgPath); err != nil {
		f.t.Fatal(err)
	}
}

var logMu sync.Mutex

// lockedWriter serialises the log handler's writes for readers.
type lockedWriter struct {
	w io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	logMu.Lock()
	defer logMu.Unlock()
	return l.w.Write(b)
}
