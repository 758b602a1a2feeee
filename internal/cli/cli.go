// Package cli implements the trent command line: it parses subcommands,
// flags and environment variables and calls the packages that do the work.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is set at build time with -ldflags "-X ...cli.Version=...".
var Version = "dev"

const usage = `Usage: trent <command> [flags]

Commands:
  server    run the KMS service (AWS KMS JSON protocol over HTTP)
  hsm       PKCS#11 tools for the HSM side of BYOK: slots, objects, keygen, wrap, kcv, …
  byok      bring your own key from an HSM: import (one command), export and upload (air-gapped)
  audit     print the audit trail, filtered
  admin     administration: key-policy generates a key policy for review
  version   print the version

Run 'trent <command> -h' for a command's flags.
`

// Main runs the command line args (without the program name) and returns
// the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "server":
		return runServer(ctx, args[1:], stderr)
	case "audit":
		return runAudit(args[1:], stdout, stderr)
	case "admin":
		return runAdmin(args[1:], stdout, stderr)
	case "hsm":
		return runHSM(ctx, args[1:], stdout, stderr)
	case "byok":
		return runBYOK(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "trent", Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "trent: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
