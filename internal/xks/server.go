package xks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/metrics"
	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

// maxBody bounds a request body: the specification's largest inputs are
// 4300 bytes of plaintext and 8192 of AAD, base64-encoded, plus metadata
// with ARNs of up to 2048 characters.
const maxBody = 64 << 10

// Options configure a Server.
type Options struct {
	// ConfigPath is the configuration file. It is re-read on SIGHUP and
	// when its modification time changes (see Serve).
	ConfigPath string
	// Logger receives the request log and reload messages; slog.Default
	// if nil.
	Logger *slog.Logger
	// Version is answered in xksProxyModel.
	Version string
	// HealthTTL is how long a deep health check result is reused;
	// MaxHealthTTL if zero or larger.
	HealthTTL time.Duration
	// ReloadPoll is how often the file's modification time is checked;
	// 3 s if zero.
	ReloadPoll time.Duration
}

// Server is the XKS proxy: the front door's route table over one token's
// session pool, with its audit log, TLS configuration and the current
// configuration's key stores.
type Server struct {
	opts    Options
	log     *slog.Logger
	version string
	pool    *pkcs11.Pool
	trail   *audit.Log
	tls     *tls.Config
	table   *frontdoor.Table
	metrics *metrics.Server // the four APIs' counts and latencies, at GET /metrics
	ops     *tokenOps
	checker *healthChecker
	state   atomic.Pointer[state]
	reloads atomic.Int64
	mtime   atomic.Int64 // UnixNano modification time of the file last loaded
}

// Open loads the configuration, opens the token's session pool (checking
// that it offers AES-GCM), the audit log and the TLS material. The caller
// must Close the Server.
func Open(o Options) (*Server, error) {
	s := &Server{opts: o, log: o.Logger, version: o.Version}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.version == "" {
		s.version = "dev"
	}
	cfg, err := xksconfig.Load(o.ConfigPath)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(o.ConfigPath); err == nil {
		s.mtime.Store(fi.ModTime().UnixNano())
	}
	if s.tls, err = serverTLS(&cfg.TLS); err != nil {
		return nil, err
	}
	if s.pool, err = openPool(&cfg.PKCS11); err != nil {
		return nil, err
	}
	if err := s.pool.CheckAESGCM(); err != nil {
		s.pool.Close()
		return nil, err
	}
	if s.trail, err = audit.OpenWith(cfg.AuditLog, audit.Options{Logger: s.log}); err != nil {
		s.pool.Close()
		return nil, err
	}
	ttl := o.HealthTTL
	if ttl <= 0 || ttl > MaxHealthTTL {
		ttl = MaxHealthTTL
	}
	s.ops = &tokenOps{pool: s.pool, warn: s.log.Warn}
	s.checker = &healthChecker{pool: s.pool, ttl: ttl, now: time.Now, warn: s.log.Warn, cache: map[string]healthResult{}}
	s.state.Store(newState(cfg))
	s.metrics = metrics.NewServer([]string{apiGetKeyMetadata, apiEncrypt, apiDecrypt, apiGetHealthStatus})
	s.table = frontdoor.NewTable(&frontdoor.Pipeline{Log: s.log, Trail: s.trail, Observer: s.metrics})
	routes := []frontdoor.Route{
		// Load balancers' probe (GET /healthz) and the metrics (GET
		// /metrics): no credentials, not audited or counted.
		{Name: "xks-probes", Match: isProbe, Protocol: probeProtocol{s}, Auth: frontdoor.Unauthenticated, MaxBody: 1 << 10},
		{Name: "xks", Protocol: &protocol{s}, Auth: authenticator{}, MaxBody: maxBody, Audit: true, Metrics: true},
	}
	for _, r := range routes {
		if err := s.table.Add(r); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// openPool opens the session pool of the configured token.
func openPool(c *xksconfig.PKCS11) (*pkcs11.Pool, error) {
	pc := pkcs11.Config{Module: c.Module, ModuleFlag: "pkcs11.module", NSSDB: c.NSSDB, TokenLabel: c.Token}
	if c.URI != "" {
		u, err := pkcs11.ParseURI(c.URI)
		if err != nil {
			return nil, err
		}
		pc.URI = u
	}
	switch {
	case c.PINFile != "":
		pc.PIN = func(pkcs11.TokenInfo) (string, error) { return pkcs11.ReadPINFile(c.PINFile, nil) }
	case c.PINEnv != "":
		pc.PIN = func(pkcs11.TokenInfo) (string, error) {
			if p := os.Getenv(c.PINEnv); p != "" {
				return p, nil
			}
			return "", fmt.Errorf("the token needs a PIN and the environment variable %s is empty", c.PINEnv)
		}
	}
	return pkcs11.OpenPool(pc, c.Sessions)
}

// Handler is the server's HTTP handler (the route table), for callers
// that run their own listener.
func (s *Server) Handler() http.Handler { return s.table }

// TLSConfig is the server's TLS configuration.
func (s *Server) TLSConfig() *tls.Config { return s.tls }

// Serve serves HTTPS on ln until ctx ends, then shuts down gracefully.
// Meanwhile it reloads the configuration on SIGHUP and when the file's
// modification time changes.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.table, TLSConfig: s.tls.Clone(), ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	watchCtx, stop := context.WithCancel(ctx)
	defer stop()
	go s.watch(watchCtx)
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := srv.Shutdown(sctx)
		<-errc
		return err
	}
}

// Close closes the token's pool and the audit log.
func (s *Server) Close() error {
	var errs []error
	if s.pool != nil {
		errs = append(errs, s.pool.Close())
	}
	if s.trail != nil {
		errs = append(errs, s.trail.Close())
	}
	return errors.Join(errs...)
}

// TokenLabel is the label of the token the proxy serves keys from.
func (s *Server) TokenLabel() string { return s.pool.Info().Label }
