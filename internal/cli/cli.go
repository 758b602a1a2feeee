// Package cli implements the trent command line: it parses subcommands,
// flags and environment variables and calls the packages that do the work.
//
// Exit status: 0 on success and for help (-h, --help, help), which goes to
// standard output; 1 when the work failed; 2 for a mistake in the command
// line, reported on standard error with the usage.
package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
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
  server    run the KMS service (AWS KMS JSON protocol over HTTP), with IAM and STS
  hsm       PKCS#11 tools for the HSM side of BYOK: slots, objects, keygen, wrap, kcv, …
  byok      bring your own key from an HSM: import (one command), export and upload (air-gapped)
  xks       the XKS proxy: serve AWS KMS external key stores from a PKCS#11 token
  audit     print the audit trail, filtered
  admin     administration:
              create-user, create-access-key, attach-user-policy, put-user-policy, list-users, …
                          users and access keys, through a running server's IAM API
              key-policy  the key policy the AWS console generates, for review before create-key
              root-key create|show, migrate-root-key
                          the HSM root key: create it in a PKCS#11 token, move a data dir onto it
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
		return runServer(ctx, args[1:], stdout, stderr)
	case "audit":
		return runAudit(args[1:], stdout, stderr)
	case "admin":
		return runAdmin(args[1:], stdout, stderr)
	case "hsm":
		return runHSM(ctx, args[1:], stdout, stderr)
	case "byok":
		return runBYOK(ctx, args[1:], stdout, stderr)
	case "xks":
		return runXKS(ctx, args[1:], stdout, stderr)
	case "bench-floor": // make bench's floor; not in the help (see benchfloor.go)
		return runBenchFloor(ctx, args[1:], stderr)
	case "version":
		fmt.Fprintln(stdout, "trent", Version)
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "trent: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

// isHelp reports whether arg asks for a command's help.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// parseFlags parses args with fs (made with flag.ContinueOnError, its
// output set to standard error) and says whether the command should go on.
// When it should not, code is the exit status: 0 for -h or --help, whose
// usage goes to stdout because help that was asked for is not an error
// (`trent … -h | less` works); 2 for a mistake, whose message and usage
// go to fs's output as the flag package wrote them.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, ok bool) {
	errOut := fs.Output()
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(errOut)
	switch {
	case errors.Is(err, flag.ErrHelp):
		_, _ = stdout.Write(buf.Bytes())
		return 0, false
	case err != nil:
		_, _ = errOut.Write(buf.Bytes())
		return 2, false
	}
	return 0, true
}
