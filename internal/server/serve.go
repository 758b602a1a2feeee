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

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/metrics"
)

// shutdownGrace is how long requests in flight may take to finish after
// the server is told to stop.
const shutdownGrace = 10 * time.Second

// Run opens a server with New, listens on cfg.Listen, writes the address to
// cfg.AddrFile if set, and serves until ctx ends; then it shuts down
// gracefully (requests in flight get up to 10 seconds) and closes.
func Run(ctx context.Context, cfg Config) error {
	s, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	if cfg.AddrFile != "" {
		if err := os.WriteFile(cfg.AddrFile, []byte(ln.Addr().String()+"\n"), 0o600); err != nil {
			ln.Close()
			return err
		}
	}
	if err := s.Serve(ctx, ln); err != nil {
		return err
	}
	return s.Close()
}

// Serve serves the API on ln (with TLS if configured; the probes too,
// unless Config.MetricsListen puts them on a listener of their own) and
// runs the sweeper, until Shutdown is called or ctx ends, when it shuts
// down gracefully. It returns nil after a graceful stop.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := newHTTPServer(s.api, s.log)
	srv.TLSConfig = s.tls
	if err := s.register(srv); err != nil {
		ln.Close()
		return err
	}
	if err := s.serveOps(); err != nil {
		ln.Close()
		return err
	}
	s.startSweeper()
	if s.cfg.PprofListen != "" {
		go servePprof(s.cfg.PprofListen, s.log)
	}
	stopWatch := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		s.Shutdown(sctx)
	})
	defer stopWatch()
	s.logServing(ln.Addr().String())
	var err error
	if s.tls != nil {
		// The certificate is in TLSConfig; ServeTLS also offers HTTP/2.
		err = srv.ServeTLS(ln, "", "")
	} else {
		err = srv.Serve(ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		// Serve returns at once on Shutdown; wait for it to finish.
		s.waitStopped()
		return nil
	}
	return err
}

// serveOps serves the probes on Config.MetricsListen, if set.
func (s *Server) serveOps() error {
	if s.cfg.MetricsListen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.MetricsListen)
	if err != nil {
		return fmt.Errorf("metrics listener: %w", err)
	}
	srv := newHTTPServer(s.ops, s.log)
	if err := s.register(srv); err != nil {
		ln.Close()
		return err
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("metrics listener stopped", "err", err)
		}
	}()
	s.log.Info("serving /healthz, /readyz and /metrics", "addr", ln.Addr().String())
	return nil
}

func (s *Server) logServing(addr string) {
	kind := "embedded"
	if s.cfg.DatabaseURL != "" {
		kind = "postgres"
	}
	s.log.Info("trent is serving the AWS KMS API", "addr", addr, "tls", s.tls != nil, "region", s.cfg.Region,
		"account_id", s.cfg.AccountID, "data_dir", s.cfg.DataDir, "store", kind, "cache_ttl", s.cfg.CacheTTL)
}

// register adds srv to the servers Shutdown stops.
func (s *Server) register(srv *http.Server) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.shutdown {
		return http.ErrServerClosed
	}
	s.servers = append(s.servers, srv)
	return nil
}

// Shutdown stops serving: listeners close, requests in flight finish (until
// ctx ends), then the sweeper stops. It may be called more than once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	servers := s.servers
	s.servers = nil
	stop, done := s.stopSweep, s.sweepDone
	s.mu.Unlock()
	var err error
	for _, srv := range servers {
		if serr := srv.Shutdown(ctx); serr != nil && err == nil {
			err = serr
		}
	}
	if stop != nil {
		// The store closes after Close: let a sweep in progress end.
		stop()
		<-done
		// Key usage is kept in memory between sweeps: a graceful stop
		// writes what the last sweep has not.
		if ferr := s.svc.FlushKeyUsage(identity.WithSystem(ctx)); ferr != nil {
			s.log.Error("writing key usage at shutdown", "err", ferr)
		}
	}
	return err
}

// waitStopped waits until the sweeper, if started, has stopped.
func (s *Server) waitStopped() {
	s.mu.Lock()
	done := s.sweepDone
	s.mu.Unlock()
	if done != nil {
		<-done
	}
}

// startSweeper runs the sweeper until Shutdown.
func (s *Server) startSweeper() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopSweep != nil || s.shutdown {
		return
	}
	ctx, cancel := context.WithCancel(identity.WithSystem(context.Background()))
	done := make(chan struct{})
	s.stopSweep, s.sweepDone = cancel, done
	go func() {
		defer close(done)
		runSweeper(ctx, s.svc, s.cfg.SweepInterval, s.metrics, s.log)
	}()
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
// counts sweeps for the metrics. The sweep acts as Trent itself.
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
