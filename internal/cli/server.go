package cli

import (
	"context"
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

func runServer(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("trent server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg server.Config
	var logLevel, logFormat string
	fs.StringVar(&cfg.Listen, "listen", env("TRENT_LISTEN", DefaultListen), "address to listen on, host:port (env TRENT_LISTEN)")
	fs.StringVar(&cfg.DataDir, "data-dir", env("TRENT_DATA_DIR", DefaultDataDir), "directory for the database, root key and root credentials (env TRENT_DATA_DIR)")
	fs.StringVar(&cfg.Region, "region", env("TRENT_REGION", DefaultRegion), "AWS region the service answers for (env TRENT_REGION)")
	fs.StringVar(&cfg.AccountID, "account-id", env("TRENT_ACCOUNT_ID", DefaultAccountID), "12-digit account ID in ARNs (env TRENT_ACCOUNT_ID)")
	fs.DurationVar(&cfg.SweepInterval, "sweep-interval", 10*time.Second, "how often due deletions and expiries are carried out")
	fs.StringVar(&cfg.AuditLog, "audit-log", env("TRENT_AUDIT_LOG", ""), "audit trail file (default <data-dir>/audit.log) (env TRENT_AUDIT_LOG)")
	fs.StringVar(&cfg.AddrFile, "addr-file", "", "write the address listened on to this file once listening")
	fs.BoolVar(&cfg.AllowPKCS1v15Wrapping, "allow-pkcs1v15-wrapping", env("TRENT_ALLOW_PKCS1V15_WRAPPING", "") == "true",
		"accept the RSAES_PKCS1_V1_5 wrapping algorithm for imports (legacy HSM firmware; AWS refuses it) (env TRENT_ALLOW_PKCS1V15_WRAPPING=true)")
	fs.IntVar(&cfg.WrappingKeyPool, "wrapping-key-pool", 4, "RSA wrapping key pairs of each size generated ahead of GetParametersForImport (0: on demand)")
	fs.StringVar(&cfg.PprofListen, "pprof-listen", "", "serve net/http/pprof on this address (off by default; keep it on loopback)")
	fs.StringVar(&logLevel, "log-level", env("TRENT_LOG_LEVEL", "info"), "debug, info, warn or error (env TRENT_LOG_LEVEL)")
	fs.StringVar(&logFormat, "log-format", env("TRENT_LOG_FORMAT", "text"), "text or json (env TRENT_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg.RootAccessKey = os.Getenv("TRENT_ROOT_ACCESS_KEY_ID")
	cfg.RootSecretKey = os.Getenv("TRENT_ROOT_SECRET_ACCESS_KEY")
	if err := checkServerConfig(&cfg); err != nil {
		fmt.Fprintln(stderr, "trent server:", err)
		return 2
	}
	logger, err := newLogger(stderr, logLevel, logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "trent server:", err)
		return 2
	}
	cfg.Logger = logger
	if err := server.Run(ctx, cfg); err != nil {
		logger.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

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
