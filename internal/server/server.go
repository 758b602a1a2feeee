// Package server assembles a running Trent: it opens the data directory,
// the root key and the store, bootstraps the root credentials, and serves
// the KMS API over HTTP until its context ends.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/api"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/iamapi"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// Files inside the data directory.
const (
	RootKeyFile  = "root.key"
	DatabaseFile = "trent.db"
	AuditFile    = "audit.log"
)

// Config is a server's configuration; see the README's configuration
// reference for the flags and environment variables behind each field.
type Config struct {
	Listen        string // host:port; port 0 picks a free port
	DataDir       string
	Region        string
	AccountID     string
	RootAccessKey string // optional, with RootSecretKey
	RootSecretKey string
	SweepInterval time.Duration
	// AllowPKCS1v15Wrapping admits the RSAES_PKCS1_V1_5 wrapping algorithm
	// for legacy HSM firmware; AWS refuses it since 2023-10-10.
	AllowPKCS1v15Wrapping bool
	// WrappingKeyPool is how many RSA wrapping key pairs of each spec are
	// generated ahead of GetParametersForImport; 0 generates on demand.
	WrappingKeyPool int
	// AuditLog is the audit trail file; <data-dir>/audit.log if empty.
	AuditLog string
	// AddrFile, if set, receives the address actually listened on, once
	// the listener is open (for scripts that start Trent on port 0).
	AddrFile string
	// PprofListen, if set, serves net/http/pprof on this separate address
	// (keep it on loopback): profiles are how performance work starts.
	PprofListen string
	Logger      *slog.Logger
}

// Run serves until ctx is done, then shuts down gracefully: it stops
// accepting, lets requests in flight finish (up to 10 seconds) and closes
// the store.
func Run(ctx context.Context, cfg Config) error {
	log := cfg.Logger
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	rk, err := rootkey.OpenSoftware(filepath.Join(cfg.DataDir, RootKeyFile))
	if err != nil {
		return err
	}
	st, err := sqlite.Open(filepath.Join(cfg.DataDir, DatabaseFile))
	if err != nil {
		return err
	}
	defer st.Close()

	auditPath := cfg.AuditLog
	if auditPath == "" {
		auditPath = filepath.Join(cfg.DataDir, AuditFile)
	}
	trail, err := audit.Open(auditPath)
	if err != nil {
		return err
	}
	defer trail.Close()
	pool := byok.NewPool(cfg.WrappingKeyPool, log)
	defer pool.Close()
	pool.Warm(byok.Specs...)
	svc, err := kms.New(ctx, kms.Config{
		Store: st, RootKey: rk, Region: cfg.Region, AccountID: cfg.AccountID, Logger: log,
		WrappingKeys: pool, AllowPKCS1v15Wrapping: cfg.AllowPKCS1v15Wrapping,
		OnEvent: serviceEventRecorder(trail, cfg, log),
	})
	if err != nil {
		return err
	}
	keys := accesskey.New(st, rk, cfg.AccountID)
	boot, err := keys.Bootstrap(ctx, cfg.DataDir, cfg.RootAccessKey, cfg.RootSecretKey, time.Now())
	if err != nil {
		return err
	}
	if boot.CredentialsFile != "" {
		log.Warn("created the account root's access key; its secret is in the credentials file, shown only this once",
			"access_key_id", boot.AccessKeyID, "credentials_file", boot.CredentialsFile)
	}
	handler := api.New(api.Config{
		KMS:      svc,
		Keys:     keys,
		Logger:   log,
		Audit:    trail,
		Verifier: &sigv4.Verifier{Service: "kms", Region: cfg.Region, Lookup: keys.Secret},
	})
	iam := iamapi.New(iamapi.Config{
		Store: st, Keys: keys, AccountID: cfg.AccountID, Region: cfg.Region,
		Logger: log, Audit: trail, OnUserChange: svc.InvalidateUser,
	})
	return serve(ctx, cfg, iamapi.Route(iam, handler), svc)
}

func serve(ctx context.Context, cfg Config, handler http.Handler, svc *kms.Service) error {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	if cfg.AddrFile != "" {
		if err := os.WriteFile(cfg.AddrFile, []byte(addr+"\n"), 0o600); err != nil {
			ln.Close()
			return err
		}
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
	}
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	defer stopSweep()
	go svc.RunSweeper(sweepCtx, cfg.SweepInterval)
	if cfg.PprofListen != "" {
		go servePprof(cfg.PprofListen, cfg.Logger)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	cfg.Logger.Info("trent is serving the AWS KMS API", "addr", addr, "region", cfg.Region,
		"account_id", cfg.AccountID, "data_dir", cfg.DataDir)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	cfg.Logger.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
