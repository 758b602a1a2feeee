// Package server assembles a running Trent: New opens the data directory,
// the root key, the store and the audit trail, bootstraps the root
// credentials and builds the route table (routes.go) of the one front door
// (package frontdoor): the KMS API, IAM and STS, and the health probes and
// Prometheus metrics (probes.go). Serve serves it on a listener the caller
// opened, so the caller knows the address; Shutdown stops it gracefully and
// Close releases what New opened. Run does all of it for the command line.
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
	"log/slog"
	"path/filepath"
	"time"

	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/postgres"
	"github.com/trent-kms/trent/internal/store/sqlite"
	"github.com/trent-kms/trent/internal/xksclient"
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
	// XksCAFile is a PEM file of the CAs trusted for external key store
	// proxies' server certificates; the system roots when empty.
	XksCAFile string
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
	// ServeUnaudited serves requests even when the audit trail cannot
	// record them (--audit-fail-open). By default such requests are refused
	// with KMSInternalException and /readyz reports not ready, until the
	// trail records again; see package audit.
	ServeUnaudited bool

	// NoConsole turns the web console at /console/ off. ConsoleIdleTimeout
	// and ConsoleSessionTimeout end console sessions (package console's
	// defaults if zero).
	NoConsole                                 bool
	ConsoleIdleTimeout, ConsoleSessionTimeout time.Duration
	// ImportParametersTTL is how long import parameters (wrapping key and
	// import token) are valid; 24 hours if zero. For tests only.
	ImportParametersTTL time.Duration
}

// openRootKey opens the root key that seals every secret: the software
// key file in the data directory, created on first start.
// xksClient returns the client of external key store proxies, trusting
// cfg.XksCAFile's CAs (the system roots if none).
func xksClient(cfg Config) (*xksclient.Client, error) {
	xc := xksclient.Config{Region: cfg.Region}
	if cfg.XksCAFile != "" {
		var err error
		if xc.RootCAs, err = xksclient.LoadCAFile(cfg.XksCAFile); err != nil {
			return nil, err
		}
	}
	return xksclient.New(xc), nil
}

func openRootKey(cfg Config) (rootkey.RootKey, func() error, error) {
	return rootkey.Open(rootkey.Spec{
		Value: cfg.RootKey, DataDir: cfg.DataDir, Module: cfg.PKCS11Module,
		PIN: cfg.RootKeyPIN, Init: cfg.InitRootKey,
		OnCreate: func(k rootkey.PKCS11KeyInfo) {
			cfg.Logger.Warn("created the HSM root key (--init): every secret of this data will be sealed under it; back up the token",
				"label", k.Label, "id", k.KeyID.String(), "uri", k.URI, "root_key_id", k.ID)
		},
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
