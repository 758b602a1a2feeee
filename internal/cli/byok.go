package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/byokflow"
)

const byokUsage = `Usage: trent byok <subcommand> [flags]

Bring your own key from an HSM into AWS KMS or Trent, with the HSM side
done through PKCS#11.

Subcommands:
  import   one command from HSM key to usable KMS key: create (or take) a KMS
           key of origin EXTERNAL, choose the wrapping algorithm both sides
           support, wrap the key in the HSM, import it, and prove that KMS
           holds the HSM's key
  params   KMS side: get import parameters and write ImportParameters.zip
           (the console's file, with the wrapping algorithm recorded)
  export   air-gapped, HSM side: wrap the key under KMS's wrapping key (from
           ImportParameters.zip, get-parameters-for-import JSON, or a KMS
           call) and write wrapped.key, token.bin and import.json
  upload   air-gapped, KMS side: import what export wrote
  rotate   rotate a key of origin EXTERNAL to a new HSM key: import it as new
           material, make it current, prove old ciphertexts still decrypt

KMS access uses the standard AWS SDK configuration: AWS_PROFILE / --profile,
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared config and
credentials files, AWS_REGION / --region, and AWS_ENDPOINT_URL_KMS,
AWS_ENDPOINT_URL or --endpoint-url (for Trent, e.g. http://127.0.0.1:8700).
The token is selected as for trent hsm (--module, --nss-db, --token-label,
--slot, --uri, --pin-file, and their TRENT_PKCS11_* variables).

Progress goes to standard error, the result to standard output (--json for
JSON). A failure names the step, says what to do, and undoes what the run
made. Run 'trent byok <subcommand> -h' for its synopsis, flags and steps.
`

// byokCommand is one trent byok subcommand: its help text and its flags,
// which return the function that runs it.
type byokCommand struct {
	name, help string
	flags      func(fs *flag.FlagSet) func(r *byokRun) error
}

var byokCommands = []byokCommand{
	{"import", byokImportHelp, byokImportFlags},
	{"params", byokParamsHelp, byokParamsFlags},
	{"export", byokExportHelp, byokExportFlags},
	{"upload", byokUploadHelp, byokUploadFlags},
	{"rotate", byokRotateHelp, byokRotateFlags},
}

// byokRun is one run of a trent byok subcommand.
type byokRun struct {
	ctx    context.Context
	prefix string // "trent byok import"
	json   bool
	stdout io.Writer
	stderr io.Writer
	prog   *progress
}

func runBYOK(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, byokUsage)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, byokUsage)
		return 0
	}
	var cmd *byokCommand
	for i := range byokCommands {
		if byokCommands[i].name == args[0] {
			cmd = &byokCommands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "trent byok: unknown subcommand %q\n\n%s", args[0], byokUsage)
		return 2
	}
	r := &byokRun{ctx: ctx, prefix: "trent byok " + cmd.name, stdout: stdout, stderr: stderr, prog: &progress{w: stderr}}
	if err := refusePINArgument(args[1:]); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", r.prefix, err)
		return 2
	}
	fs := flag.NewFlagSet(r.prefix, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), cmd.help)
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	fs.BoolVar(&r.json, "json", false, "print the result as JSON")
	run := cmd.flags(fs)
	if code, ok := parseFlags(fs, args[1:], stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags come as --name value)\n", r.prefix, fs.Arg(0))
		return 2
	}
	err := run(r)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "%s: %v\n", r.prefix, err)
	var u usageError
	var fu byokflow.UsageError
	if errors.As(err, &u) || errors.As(err, &fu) {
		return 2
	}
	return 1
}

// progress prints a workflow's steps to standard error (it is the
// byokflow.Observer). Notes (from the token layer, or about choices
// made) go on their own lines.
type progress struct {
	w    io.Writer
	n    int
	open bool
}

func (p *progress) Begin(n, total int, title string) {
	p.n = n
	fmt.Fprintf(p.w, "[%d/%d] %s ...", n, total, title)
	p.open = true
}

func (p *progress) Done(detail string) {
	if !p.open {
		fmt.Fprint(p.w, "      ...")
	}
	if detail != "" {
		detail = ": " + detail
	}
	fmt.Fprintf(p.w, " ok%s\n", detail)
	p.open = false
}

func (p *progress) Failed() {
	if p.open {
		fmt.Fprintln(p.w, " failed")
		p.open = false
	}
}

func (p *progress) Note(s string) {
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
	fmt.Fprintf(p.w, "      note: %s\n", s)
}

func (p *progress) Cleanup(s string) { fmt.Fprintf(p.w, "      cleanup: %s\n", s) }

// printResult writes the result: JSON, or key=value lines.
func (r *byokRun) printResult(v any, lines [][2]string) error {
	if r.json {
		enc := json.NewEncoder(r.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	for _, l := range lines {
		if l[1] != "" {
			fmt.Fprintf(r.stdout, "%s=%s\n", l[0], l[1])
		}
	}
	return nil
}
