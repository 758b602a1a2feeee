package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/metrics"
)

// shutdownGrace is how long requests in flight may take to finish after
// the server is told to stop.
const shutdownGrace = 10 * time.Second

// serve listens on cfg.Listen (with TLS if configured) and serves api,
// with ops on the same listener or on cfg.MetricsListen, until ctx ends.
// It also runs the sweeper.
func serve(ctx context.Context, cfg Config, tlsConfig *tls.Config, api, ops http.Handler, svc *kms.Service, m *metrics.Server) error {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	handler := api
	var opsSrv *http.Server
	if cfg.MetricsListen != "" {
		opsLn, err := net.Listen("tcp", cfg.MetricsListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("metrics listener: %w", err)
		}
		opsSrv = newHTTPServer(ops, cfg.Logger)
		go func() {
			if err := opsSrv.Serve(opsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				cfg.Logger.Error("metrics listener stopped", "err", err)
			}
		}()
		defer opsSrv.Close()
		cfg.Logger.Info("serving /healthz, /readyz and /metrics", "addr", opsLn.Addr().String())
	} else {
		handler = withOps(api, ops)
	}
	if cfg.AddrFile != "" {
		if err := os.WriteFile(cfg.AddrFile, []byte(addr+"\n"), 0o600); err != nil {
			ln.Close()
			return err
		}
	}
	srv := newHTTPServer(handler, cfg.Logger)
	srv.TLSConfig = tlsConfig
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	sweepDone := make(chan struct{})
	go func() {
		defer close(sweepDone)
		runSweeper(sweepCtx, svc, cfg.SweepInterval, m, cfg.Logger)
	}()
	// The store closes after serve returns: let a sweep in progress end.
	defer func() { stopSweep(); <-sweepDone }()
	if cfg.PprofListen != "" {
		go servePprof(cfg.PprofListen, cfg.Logger)
	}

	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			// The certificate is in TLSConfig; ServeTLS also offers HTTP/2.
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	store := "embedded"
	if cfg.DatabaseURL != "" {
		store = "postgres"
	}
	cfg.Logger.Info("trent is serving the AWS KMS API", "addr", addr, "tls", tlsConfig != nil, "region", cfg.Region,
		"account_id", cfg.AccountID, "data_dir", cfg.DataDir, "store", store, "cache_ttl", cfg.CacheTTL)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	cfg.Logger.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if opsSrv != nil {
		opsSrv.Shutdown(shutCtx)
	}
	err = srv.Shutdown(shutCtx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
}

// loadTLS returns the listener's TLS configuration, or nil without
// --tls-cert. TLS 1.2 is the minimum, as AWS requires of KMS clients; Go's
// default cipher suites for 1.2 are all AEAD with forward secrecy.
func loadTLS(cfg Config) (*tls.Config, error) {
	if cfg.TLSCert == "" && cfg.TLSKey == "" {
		return nil, nil
	}
	if cfg.TLSCert == "" || cfg.TLSKey == "" {
		return nil, errors.New("set both the TLS certificate (--tls-cert) and key (--tls-key), or neither")
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// runSweeper runs the service's sweep every interval, and once at once, so
// that work that fell due while the server was down is done at start; it
// counts sweeps for the metrics.
func runSweeper(ctx context.Context, svc *kms.Service, interval time.Duration, m *metrics.Server, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := svc.Sweep(ctx)
		if ctx.Err() != nil {
			return
		}
		m.ObserveSweep(n, err)
		if err != nil {
			log.Error("sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
