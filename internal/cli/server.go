package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/server"
)

// Defaults of trent server, documented in the README.
const (
	DefaultListen    = "127.0.0.1:8700"
	DefaultDataDir   = "./trent-data"
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "111122223333"
)

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern    = regexp.MustCompile(`^([a-z]+-){2,3}\d+$`)
)

// env returns the environment variable name's value, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// serverOptions is everything trent server's settings fill in.
type serverOptions struct {
	cfg       server.Config
	logLevel  string
	logFormat string
	// cacheTTL is --cache-ttl as given; empty means the store's default.
	cacheTTL string
	// pinFile is --pin-file, for an HSM root key.
	pinFile string
}

// serverSettings is the table of trent server's settings: flag, environment
// variable, config-file key, default. The README's configuration table
// lists the same.
func serverSettings(o *serverOptions) []setting {
	c := &o.cfg
	return []setting{
		{flag: "listen", env: "TRENT_LISTEN", key: "listen", def: DefaultListen, apply: applyString(&c.Listen),
			usage: "address to listen on, host:port; port 0 picks a free port"},
		{flag: "data-dir", env: "TRENT_DATA_DIR", key: "data_dir", def: DefaultDataDir, apply: applyString(&c.DataDir),
			usage: "directory for the root key, the audit log, root credentials and the embedded database"},
		{flag: "region", env: "TRENT_REGION", key: "region", def: DefaultRegion, apply: applyString(&c.Region),
			usage: "AWS region the service answers for"},
		{flag: "account-id", env: "TRENT_ACCOUNT_ID", key: "account_id", def: DefaultAccountID, apply: applyString(&c.AccountID),
			usage: "12-digit account ID in ARNs"},
		{flag: "database-url", env: "TRENT_DATABASE_URL", key: "database_url", apply: applyString(&c.DatabaseURL),
			usage: "PostgreSQL URL (postgres://user:password@host/db) shared by several nodes; empty: the embedded store in the data dir"},
		{flag: "cache-ttl", env: "TRENT_CACHE_TTL", key: "cache_ttl", kind: kindDuration, apply: applyString(&o.cacheTTL),
			usage: fmt.Sprintf("how long cached keys, aliases and access keys are used: the bound on how stale another node's change may be seen (default 0, exact, for the embedded store; %v with --database-url)", server.DefaultSharedCacheTTL)},
		{flag: "tls-cert", env: "TRENT_TLS_CERT", key: "tls_cert", apply: applyString(&c.TLSCert),
			usage: "PEM certificate (chain) file: serve HTTPS (TLS 1.2+) instead of HTTP, with --tls-key"},
		{flag: "tls-key", env: "TRENT_TLS_KEY", key: "tls_key", apply: applyString(&c.TLSKey),
			usage: "PEM private key file of --tls-cert"},
		{flag: "metrics-listen", env: "TRENT_METRICS_LISTEN", key: "metrics_listen", apply: applyString(&c.MetricsListen),
			usage: "serve /healthz, /readyz and /metrics on this separate address instead of the API listener"},
		{flag: "sweep-interval", env: "TRENT_SWEEP_INTERVAL", key: "sweep_interval", kind: kindDuration, def: "10s", apply: applyDuration(&c.SweepInterval),
			usage: "how often due deletions and expiries are carried out"},
		{flag: "audit-log", env: "TRENT_AUDIT_LOG", key: "audit_log", apply: applyString(&c.AuditLog),
			usage: "audit trail file (default <data-dir>/audit.log)"},
		{flag: "audit-fail-open", env: "TRENT_AUDIT_FAIL_OPEN", key: "audit_fail_open", kind: kindBool, def: "false", apply: applyBool(&c.ServeUnaudited),
			usage: "serve requests even when the audit trail cannot record them (default: refuse them with KMSInternalException and report not ready until it records again)"},
		{flag: "no-console", env: "TRENT_NO_CONSOLE", key: "no_console", kind: kindBool, def: "false", apply: applyBool(&c.NoConsole),
			usage: "do not serve the web console at /console/"},
		{flag: "console-idle-timeout", env: "TRENT_CONSOLE_IDLE_TIMEOUT", key: "console_idle_timeout", kind: kindDuration, def: "30m", apply: applyDuration(&c.ConsoleIdleTimeout),
			usage: "end a console session after this long without a request"},
		{flag: "console-session-timeout", env: "TRENT_CONSOLE_SESSION_TIMEOUT", key: "console_session_timeout", kind: kindDuration, def: "12h", apply: applyDuration(&c.ConsoleSessionTimeout),
			usage: "end a console session this long after sign-in, whatever its use"},
		{flag: "addr-file", env: "TRENT_ADDR_FILE", key: "addr_file", apply: applyString(&c.AddrFile),
			usage: "write the address listened on to this file once listening"},
		{flag: "root-key", env: "TRENT_ROOT_KEY", key: "root_key", def: "file", apply: applyString(&c.RootKey),
			usage: "root of trust: file (root.key in the data dir) or a pkcs11: URI of an HSM key, e.g. pkcs11:token=trent;object=trent-root-key"},
		{flag: "pkcs11-module", env: "TRENT_PKCS11_MODULE", key: "pkcs11_module", def: "", apply: applyString(&c.PKCS11Module),
			usage: "PKCS#11 library for an HSM root key"},
		{flag: "pin-file", env: "TRENT_PKCS11_PIN_FILE", key: "pin_file", def: "", apply: applyString(&o.pinFile),
			usage: "file holding the HSM token's user PIN (or set TRENT_PKCS11_PIN; never a flag)"},
		{flag: "init", env: "TRENT_INIT", key: "init", kind: kindBool, def: "false", apply: applyBool(&c.InitRootKey),
			usage: "create the HSM root key in the token if it has none with that label"},
		{flag: "allow-pkcs1v15-wrapping", env: "TRENT_ALLOW_PKCS1V15_WRAPPING", key: "allow_pkcs1v15_wrapping", kind: kindBool, def: "false",
			apply: applyBool(&c.AllowPKCS1v15Wrapping),
			usage: "accept the RSAES_PKCS1_V1_5 wrapping algorithm for imports (legacy HSM firmware; AWS refuses it)"},
		{flag: "xks-ca-file", env: "TRENT_XKS_CA_FILE", key: "xks_ca_file", apply: applyString(&c.XksCAFile),
			usage: "PEM file of the CAs trusted for external key store (XKS) proxies (default: the system roots)"},
		{flag: "wrapping-key-pool", env: "TRENT_WRAPPING_KEY_POOL", key: "wrapping_key_pool", kind: kindInt, def: "4", apply: applyInt(&c.WrappingKeyPool),
			usage: "RSA wrapping key pairs of each size generated ahead of GetParametersForImport (0: on demand)"},
		{flag: "pprof-listen", env: "TRENT_PPROF_LISTEN", key: "pprof_listen", apply: applyString(&c.PprofListen),
			usage: "serve net/http/pprof on this address (off by default; keep it on loopback)"},
		{flag: "log-level", env: "TRENT_LOG_LEVEL", key: "log_level", def: "info", apply: applyString(&o.logLevel),
			usage: "debug, info, warn or error"},
		{flag: "log-format", env: "TRENT_LOG_FORMAT", key: "log_format", def: "text", apply: applyString(&o.logFormat),
			usage: "text or json"},
		// No flags for the root's secret: command lines are visible to
		// every user of the machine.
		{env: "TRENT_ROOT_ACCESS_KEY_ID", key: "root_access_key_id", apply: applyString(&c.RootAccessKey)},
		{env: "TRENT_ROOT_SECRET_ACCESS_KEY", key: "root_secret_access_key", apply: applyString(&c.RootSecretKey)},
	}
}

// parseServerOptions resolves trent server's settings from args, the
// environment (getenv) and the config file.
func parseServerOptions(args []string, getenv func(string) (string, bool), stderr io.Writer) (*serverOptions, error) {
	o := &serverOptions{}
	fs := flag.NewFlagSet("trent server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	p := newSettingsParser(fs, serverSettings(o), getenv)
	if err := fs.Parse(args); err != nil {
		return nil, flagParseError{err}
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if err := p.resolve(); err != nil {
		return nil, err
	}
	o.cfg.CacheTTL = server.DefaultCacheTTL(o.cfg.DatabaseURL)
	if o.cacheTTL != "" {
		d, err := time.ParseDuration(o.cacheTTL)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("cache TTL: not a duration like 2s: %q", o.cacheTTL)
		}
		o.cfg.CacheTTL = d
	}
	return o, checkServerConfig(&o.cfg)
}

func runServer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// The flag package writes help and errors to one writer: keep them
	// apart, so that -h goes to standard output and exits 0.
	var flagOut bytes.Buffer
	o, err := parseServerOptions(args, os.LookupEnv, &flagOut)
	if errors.Is(err, flag.ErrHelp) {
		stdout.Write(flagOut.Bytes())
		return 0
	}
	stderr.Write(flagOut.Bytes())
	if err != nil {
		if !errors.As(err, new(flagParseError)) {
			fmt.Fprintln(stderr, "trent server:", err)
		}
		return 2
	}
	logger, err := newLogger(stderr, o.logLevel, o.logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "trent server:", err)
		return 2
	}
	o.cfg.Logger = logger
	o.cfg.RootKeyPIN = (&tokenFlags{pinFile: o.pinFile}).pinSource(ctx, nil, stderr)
	if err := server.Run(ctx, o.cfg); err != nil {
		logger.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

// flagParseError is an error of the flag package, which has printed it
// with the usage already.
type flagParseError struct{ error }

func (e flagParseError) Unwrap() error { return e.error }

func checkServerConfig(cfg *server.Config) error {
	switch {
	case !accountIDPattern.MatchString(cfg.AccountID):
		return fmt.Errorf("--account-id must be 12 digits, got %q", cfg.AccountID)
	case !regionPattern.MatchString(cfg.Region):
		return fmt.Errorf("--region %q is not a region name like us-east-1", cfg.Region)
	case (cfg.RootAccessKey == "") != (cfg.RootSecretKey == ""):
		return fmt.Errorf("set both TRENT_ROOT_ACCESS_KEY_ID and TRENT_ROOT_SECRET_ACCESS_KEY, or neither")
	case cfg.SweepInterval <= 0:
		return fmt.Errorf("--sweep-interval must be positive")
	case cfg.WrappingKeyPool < 0:
		return fmt.Errorf("--wrapping-key-pool must not be negative")
	case (cfg.TLSCert == "") != (cfg.TLSKey == ""):
		return fmt.Errorf("set both --tls-cert and --tls-key, or neither")
	}
	return nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format must be text or json, got %q", format)
	}
}
