package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
)

const byokUsage = `Usage: trent byok <subcommand> [flags]

Bring your own key from an HSM into AWS KMS or Trent, with the HSM side
done through PKCS#11.

Subcommands:
  import   one command from HSM key to usable KMS key: create (or take) a KMS
           key of origin EXTERNAL, choose the wrapping algorithm both sides
           support, wrap the key in the HSM, import it, and prove that KMS
           holds the HSM's key
  export   air-gapped, HSM side: wrap the key under KMS's wrapping key (from
           get-parameters-for-import output, the console's files, or a KMS
           call) and write wrapped.key, token.bin and import.json
  upload   air-gapped, KMS side: import what export wrote

KMS access uses the standard AWS SDK configuration: AWS_PROFILE / --profile,
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared config and
credentials files, AWS_REGION / --region, and AWS_ENDPOINT_URL_KMS,
AWS_ENDPOINT_URL or --endpoint-url (for Trent, e.g. http://127.0.0.1:8700).
The token is selected as for trent hsm (--module, --nss-db, --token-label,
--slot, --uri, --pin-file, and their TRENT_PKCS11_* variables).

Progress goes to standard error, the result to standard output (--json for
JSON). A failure names the step, says what to do, and undoes what the run
made. Run 'trent byok <subcommand> -h' for its flags.
`

// byokRun is one run of a trent byok subcommand.
type byokRun struct {
	ctx    context.Context
	prefix string // "trent byok import"
	json   bool
	stdout io.Writer
	stderr io.Writer
	prog   *progress
	// cleanups run, newest first, when the run fails.
	cleanups []func(ctx context.Context) string
	// closers run, newest first, at the end of every run, after the
	// cleanups (which may need the token still open).
	closers []func()
}

func runBYOK(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, byokUsage)
		return 2
	}
	var define func(fs *flag.FlagSet) func(r *byokRun) error
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, byokUsage)
		return 0
	case "import":
		define = byokImportFlags
	case "export":
		define = byokExportFlags
	case "upload":
		define = byokUploadFlags
	default:
		fmt.Fprintf(stderr, "trent byok: unknown subcommand %q\n\n%s", args[0], byokUsage)
		return 2
	}
	r := &byokRun{ctx: ctx, prefix: "trent byok " + args[0], stdout: stdout, stderr: stderr, prog: &progress{w: stderr}}
	if err := refusePINArgument(args[1:]); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", r.prefix, err)
		return 2
	}
	fs := flag.NewFlagSet(r.prefix, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&r.json, "json", false, "print the result as JSON")
	run := define(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags come as --name value)\n", r.prefix, fs.Arg(0))
		return 2
	}
	defer func() {
		for i := len(r.closers) - 1; i >= 0; i-- {
			r.closers[i]()
		}
	}()
	err := run(r)
	if err == nil {
		return 0
	}
	r.prog.fail()
	fmt.Fprintf(stderr, "%s: %v\n", r.prefix, err)
	r.undo()
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// onFailure registers a cleanup; it returns what it did, for the user.
func (r *byokRun) onFailure(f func(ctx context.Context) string) {
	r.cleanups = append(r.cleanups, f)
}

// undo runs the cleanups newest first, with a context that an interrupt
// does not cancel (Ctrl-C should not leave half a run behind).
func (r *byokRun) undo() {
	ctx := context.WithoutCancel(r.ctx)
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		if s := r.cleanups[i](ctx); s != "" {
			fmt.Fprintf(r.stderr, "%s: cleanup: %s\n", r.prefix, s)
		}
	}
}

// step runs one numbered step: it prints "[n/N] title ...", then "ok"
// with what fn reports, or, if fn fails, an error that names the step.
func (r *byokRun) step(title string, fn func() (string, error)) error {
	r.prog.begin(title)
	detail, err := fn()
	if err != nil {
		r.prog.fail()
		var u usageError
		if errors.As(err, &u) {
			return err
		}
		return &stepError{n: r.prog.n, title: title, err: err}
	}
	r.prog.done(detail)
	return nil
}

// stepError is a failed step: "step 5 (import the wrapping key into the
// token): …".
type stepError struct {
	n     int
	title string
	err   error
}

func (e *stepError) Error() string { return fmt.Sprintf("step %d (%s): %v", e.n, e.title, e.err) }
func (e *stepError) Unwrap() error { return e.err }

// progress prints numbered steps to standard error. Notes (from the token
// layer, or about choices made) go on their own lines.
type progress struct {
	w        io.Writer
	n, total int
	open     bool
	quiet    bool // notes are dropped (while probing the token)
}

func (p *progress) begin(title string) {
	p.n++
	fmt.Fprintf(p.w, "[%d/%d] %s ...", p.n, p.total, title)
	p.open = true
}

func (p *progress) done(detail string) {
	if !p.open {
		fmt.Fprint(p.w, "      ...")
	}
	if detail != "" {
		detail = ": " + detail
	}
	fmt.Fprintf(p.w, " ok%s\n", detail)
	p.open = false
}

func (p *progress) fail() {
	if p.open {
		fmt.Fprintln(p.w, " failed")
		p.open = false
	}
}

func (p *progress) note(s string) {
	if p.quiet {
		return
	}
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
	fmt.Fprintf(p.w, "      note: %s\n", s)
}

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
