package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"

	"github.com/trent-kms/trent/internal/xks"
	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

const xksUsage = `Usage: trent xks <command> [flags]

The XKS proxy: Trent as the external key store proxy of AWS KMS, in front of
the AES-256 keys of a PKCS#11 token.

Commands:
  serve         serve the XKS proxy API over HTTPS (--config FILE)
  credentials   new: a fresh SigV4 credential for a key store, printed or
                added to the configuration file (--config FILE --prefix P)
  console-file  the JSON file the AWS KMS console imports for a key store
                (--config FILE --prefix P --access-key-id AK [--out FILE])

Run 'trent xks <command> -h' for a command's flags.
`

// runXKS runs trent xks.
func runXKS(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, xksUsage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runXKSServe(ctx, args[1:], stdout, stderr)
	case "credentials":
		return runXKSCredentials(args[1:], stdout, stderr)
	case "console-file":
		return runXKSConsoleFile(args[1:], stdout, stderr)
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, xksUsage)
		return 0
	}
	fmt.Fprintf(stderr, "trent xks: unknown command %q\n\n%s", args[0], xksUsage)
	return 2
}

func runXKSServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trent xks serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "xks.yaml", "the XKS proxy's configuration file (mode 0600: it holds secret access keys)")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	cfg, err := xksconfig.Load(*config)
	if err != nil {
		fmt.Fprintln(stderr, "trent xks serve:", err)
		return 1
	}
	level := slog.LevelInfo
	if cfg.Log != "" {
		_ = level.UnmarshalText([]byte(cfg.Log)) // validated by Load
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	s, err := xks.Open(xks.Options{ConfigPath: *config, Logger: log, Version: Version})
	if err != nil {
		fmt.Fprintln(stderr, "trent xks serve:", err)
		return 1
	}
	defer s.Close()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		fmt.Fprintln(stderr, "trent xks serve:", err)
		return 1
	}
	log.Info("xks proxy serving", "addr", ln.Addr().String(), "key_stores", len(cfg.Stores), "token", s.TokenLabel())
	if err := s.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "trent xks serve:", err)
		return 1
	}
	return 0
}

func runXKSCredentials(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "new" {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprint(stdout, "Usage: trent xks credentials new [--config FILE --prefix P]\n")
			return 0
		}
		fmt.Fprint(stderr, "Usage: trent xks credentials new [--config FILE --prefix P]\n")
		return 2
	}
	fs := flag.NewFlagSet("trent xks credentials new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "add the credential to this configuration file (else it is only printed)")
	prefix := fs.String("prefix", "", "the key store's uriPrefix, with --config (\"\" for the store without one)")
	if code, ok := parseFlags(fs, args[1:], stdout); !ok {
		return code
	}
	cred := xksconfig.NewCredential()
	if *config != "" {
		if err := xksconfig.AppendCredential(*config, *prefix, cred); err != nil {
			fmt.Fprintln(stderr, "trent xks credentials new:", err)
			return 1
		}
		// The secret is in the file; it is not printed (use console-file).
		fmt.Fprintf(stdout, "accessKeyId: %s\n", cred.AccessKeyID)
		fmt.Fprintf(stderr, "added to the key store %q of %s; a serving proxy picks it up within seconds\n", *prefix, *config)
		return 0
	}
	fmt.Fprintf(stdout, "accessKeyId: %s\nsecretAccessKey: %q\n", cred.AccessKeyID, cred.SecretAccessKey)
	return 0
}

func runXKSConsoleFile(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trent xks console-file", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "xks.yaml", "the XKS proxy's configuration file")
	prefix := fs.String("prefix", "", "the key store's uriPrefix")
	akid := fs.String("access-key-id", "", "the credential to put in the file (required)")
	out := fs.String("out", "", "write the file here (mode 0600) instead of standard output")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if *akid == "" {
		fmt.Fprintln(stderr, "trent xks console-file: --access-key-id is required")
		return 2
	}
	cfg, err := xksconfig.Load(*config)
	if err == nil {
		var b []byte
		if b, err = cfg.Console(*prefix, *akid); err == nil {
			err = writeSecretOutput(*out, b, stdout)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "trent xks console-file:", err)
		return 1
	}
	return 0
}

// writeSecretOutput writes b, which holds a secret, to path with mode
// 0600, or to stdout; when stdout is a regular file (a shell redirection)
// it is made 0600 too.
func writeSecretOutput(path string, b []byte, stdout io.Writer) error {
	if path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return err
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if f, ok := stdout.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if err := f.Chmod(0o600); err != nil {
				return err
			}
		}
	}
	_, err := stdout.Write(b)
	return err
}
