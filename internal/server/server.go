// Package server assembles a running Trent: it opens the data directory,
// the root key and the store, bootstraps the root credentials, and serves
// the KMS API over HTTP (or HTTPS) until its context ends, with health
// probes and Prometheus metrics next to it (ops.go).
//
// # Stores and nodes
//
// Without a database URL the store is the embedded SQLite database in the
// data directory, for one node. With one (postgres://...), the store is
// PostgreSQL and several nodes may share it; each node still has a data
// directory for its root key file (which must be the same file on every
// node, or the same HSM key), its audit log and, on the node that first
// created them, the root credentials.
//
// Every node caches keys, aliases and access keys in memory. With a shared
// database, a cached entry is used for at most Config.CacheTTL after it was
// read (DefaultSharedCacheTTL unless set), so a change made through one node
// is in effect on every node at most that long after it was acknowledged;
// see docs/deployment.md.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/api"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/iamapi"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/metrics"
	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/postgres"
	"github.com/trent-kms/trent/internal/store/sqlite"
	"github.com/trent-kms/trent/internal/wire"
)

// Files inside the data directory.
const (
	RootKeyFile  = "root.key"
	DatabaseFile = "trent.db"
	AuditFile    = "audit.log"
)

// DefaultSharedCacheTTL is the cache TTL used with a shared database when
// none is configured: the bound on how long a change made through one node
// may go unseen by another. AWS documents KMS as eventually consistent
// within a few seconds; two seconds keeps Trent inside that while a hot
// key costs each node one store read per two seconds.
const DefaultSharedCacheTTL = 2 * time.Second

// DefaultCacheTTL is the cache TTL for a store: none (exact) for the
// embedded store, which only this process uses, and DefaultSharedCacheTTL
// for a database that other nodes may share.
func DefaultCacheTTL(databaseURL string) time.Duration {
	if databaseURL == "" {
		return 0
	}
	return DefaultSharedCacheTTL
}

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
	// DatabaseURL selects PostgreSQL (a postgres:// URL or key=value
	// connection string); empty means the embedded SQLite store in DataDir.
	DatabaseURL string
	// CacheTTL bounds how long cached keys, aliases and access keys are
	// used before the store is read again. Zero means they never expire,
	// which is exact only when no other node shares the store: use
	// DefaultCacheTTL(DatabaseURL) for the default.
	CacheTTL time.Duration
	// TLSCert and TLSKey, both or neither, are PEM files of the listener's
	// certificate (chain) and private key; with them the API is HTTPS only
	// (TLS 1.2 or later).
	TLSCert, TLSKey string
	// MetricsListen, if set, serves /healthz, /readyz and /metrics on this
	// separate address (plain HTTP) instead of on the API listener.
	MetricsListen string
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

	// RootKey selects the root of trust: "" or "file" for the software key
	// in the data dir, or a pkcs11: URI naming an HSM key (--root-key).
	RootKey string
	// PKCS11Module is the PKCS#11 library for an HSM root key.
	PKCS11Module string
	// RootKeyPIN supplies the token's user PIN for an HSM root key.
	RootKeyPIN func(pkcs11.TokenInfo) (string, error)
	// InitRootKey creates the HSM root key if the token has none (--init).
	InitRootKey bool
}

// Run serves until ctx is done, then shuts down gracefully: it stops
// accepting, lets requests in flight finish (up to 10 seconds) and closes
// the store.
func Run(ctx context.Context, cfg Config) error {
	log := cfg.Logger
	tlsConfig, err := loadTLS(cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	m := metrics.NewServer(wire.Operations)
	rawRK, closeRK, err := openRootKey(cfg)
	if err != nil {
		return err
	}
	defer closeRK()
	rk := timeRootKey(rawRK, m)
	rawStore, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer rawStore.Close()
	// Refuse to start with a root key other than the one the data is
	// sealed under (e.g. the software key after a migration to an HSM).
	if err := rootkey.CheckKind(ctx, rawStore, rawRK); err != nil {
		return err
	}
	st := timeStore(rawStore, m)
	if cfg.DatabaseURL != "" && cfg.CacheTTL == 0 {
		log.Warn("caches never expire (cache TTL 0) on a shared database: changes made through other nodes are not seen")
	}

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
		OnEvent: serviceEventRecorder(trail, cfg, log), CacheTTL: cfg.CacheTTL,
	})
	if err != nil {
		return err
	}
	keys := accesskey.New(st, rk, cfg.AccountID)
	keys.SetCacheTTL(cfg.CacheTTL)
	boot, err := keys.Bootstrap(ctx, cfg.DataDir, cfg.RootAccessKey, cfg.RootSecretKey, time.Now())
	if err != nil {
		return err
	}
	if boot.CredentialsFile != "" {
		log.Warn("created the account root's access key; its secret is in the credentials file, shown only this once",
			"access_key_id", boot.AccessKeyID, "credentials_file", boot.CredentialsFile)
	}
	registerCaches(m, svc, keys)
	handler := api.New(api.Config{
		KMS:      svc,
		Keys:     keys,
		Logger:   log,
		Audit:    trail,
		Verifier: &sigv4.Verifier{Service: "kms", Region: cfg.Region, Lookup: keys.Secret},
		Observer: m,
	})
	iam := iamapi.New(iamapi.Config{
		Store: st, Keys: keys, AccountID: cfg.AccountID, Region: cfg.Region,
		Logger: log, Audit: trail, OnUserChange: svc.InvalidateUser,
	})
	ops := newOps(m.Registry, newReadiness(rawStore, rawRK, log))
	return serve(ctx, cfg, tlsConfig, iamapi.Route(iam, handler), ops, svc, m)
}

// openRootKey opens the root key that seals every secret: the software
// key file in the data directory, created on first start.
func openRootKey(cfg Config) (rootkey.RootKey, func() error, error) {
	return rootkey.Open(rootkey.Spec{
		Value: cfg.RootKey, DataDir: cfg.DataDir, Module: cfg.PKCS11Module,
		PIN: cfg.RootKeyPIN, Init: cfg.InitRootKey,
	})
}

// openStore opens PostgreSQL if a database URL is configured, else the
// embedded SQLite database in the data directory.
func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		st, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	st, err := sqlite.Open(filepath.Join(cfg.DataDir, DatabaseFile))
	if err != nil {
		return nil, err
	}
	return st, nil
}
