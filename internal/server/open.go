package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/datadir"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/metrics"
	"github.com/trent-kms/trent/internal/rootkey"
)

// Server is a Trent server: its components, open, and its route tables.
// Create it with New; a Server is used once: Serve, then Shutdown (or the
// end of Serve's context), then Close.
type Server struct {
	cfg     Config
	log     *slog.Logger
	tls     *tls.Config
	svc     *kms.Service
	metrics *metrics.Server
	api     http.Handler // the route table of the API listener
	ops     http.Handler // the probes alone, for Config.MetricsListen
	boot    accesskey.BootstrapResult

	closers []func() error // run by Close, last first

	mu        sync.Mutex
	servers   []*http.Server
	stopSweep context.CancelFunc
	sweepDone chan struct{}
	shutdown  bool // Shutdown was called: Serve may not start again
	closed    bool
}

// New opens everything a server needs — the data directory, the root key,
// the store, the audit trail, the wrapping-key pool and the KMS core —
// bootstraps the root credentials and builds the route tables. Nothing is
// served until Serve. On error, whatever was opened is closed again.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	if err := s.open(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// open opens the components in order, registering each one's close.
func (s *Server) open(ctx context.Context) (err error) {
	cfg := s.cfg
	if s.tls, err = loadTLS(cfg); err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	// One server per data dir: offline commands that change it (the
	// root-key migration) take the same lock and refuse while it is held.
	dirLock, err := datadir.Lock(cfg.DataDir)
	if err != nil {
		return err
	}
	s.closers = append(s.closers, dirLock.Close)
	s.metrics = newMetrics()
	rawRK, closeRK, err := openRootKey(cfg)
	if err != nil {
		return err
	}
	s.closers = append(s.closers, closeRK)
	rk := timeRootKey(rawRK, s.metrics)
	rawStore, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	s.closers = append(s.closers, rawStore.Close)
	// Refuse to start with a root key other than the one the data is
	// sealed under (e.g. the software key after a migration to an HSM).
	if err := rootkey.CheckKind(ctx, rawStore, rawRK); err != nil {
		return err
	}
	// With a shared database, a node still on the old root key after a
	// migration must not write values the others cannot unseal.
	st := timeStore(rootkey.Fence(rawStore, rawRK), s.metrics)
	if cfg.DatabaseURL != "" && cfg.CacheTTL == 0 {
		s.log.Warn("caches never expire (cache TTL 0) on a shared database: changes made through other nodes are not seen")
	}
	trail, err := audit.OpenWith(cfg.auditPath(), audit.Options{Logger: s.log})
	if err != nil {
		return err
	}
	s.closers = append(s.closers, trail.Close)
	pool := byok.NewPool(cfg.WrappingKeyPool, s.log)
	s.closers = append(s.closers, func() error { pool.Close(); return nil })
	pool.Warm(byok.Specs...)
	xks, err := xksClient(cfg)
	if err != nil {
		return err
	}
	s.svc, err = kms.New(ctx, kms.Config{
		XKS:   xks,
		Store: st, RootKey: rk, Region: cfg.Region, AccountID: cfg.AccountID, Logger: s.log,
		WrappingKeys: pool, AllowPKCS1v15Wrapping: cfg.AllowPKCS1v15Wrapping,
		OnEvent: serviceEventRecorder(trail, cfg, s.log), CacheTTL: cfg.CacheTTL,
		ParamsLifetime: cfg.ImportParametersTTL,
	})
	if err != nil {
		return err
	}
	keys := accesskey.New(st, rk, cfg.AccountID)
	keys.SetCacheTTL(cfg.CacheTTL)
	if s.boot, err = keys.Bootstrap(ctx, cfg.DataDir, cfg.RootAccessKey, cfg.RootSecretKey, time.Now()); err != nil {
		return err
	}
	if s.boot.CredentialsFile != "" {
		s.log.Warn("created the account root's access key; its secret is in the credentials file, shown only this once",
			"access_key_id", s.boot.AccessKeyID, "credentials_file", s.boot.CredentialsFile)
	}
	registerCaches(s.metrics, s.svc, keys)
	ready := newReadiness(rawStore, rawRK, trail, s.log)
	s.api, s.ops, err = s.routes(st, keys, trail, ready)
	return err
}

// Close releases everything New opened, after stopping the server if it
// is serving. It returns the first error.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := s.Shutdown(ctx)
	for i := len(s.closers) - 1; i >= 0; i-- {
		if cerr := s.closers[i](); cerr != nil && err == nil {
			err = cerr
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// auditPath is the audit trail's file: --audit-log, else the data dir's.
func (c Config) auditPath() string {
	if c.AuditLog != "" {
		return c.AuditLog
	}
	return filepath.Join(c.DataDir, AuditFile)
}
