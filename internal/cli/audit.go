package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/server"
)

const auditUsage = `Usage: trent audit [flags]

Prints the records of the audit trail that pass the filters, one line each
(or as stored, with --json).

Lines of the file that are not records — a write torn by a crash (the server
terminates such a line when it restarts), zeros left by a power loss, damage
or edits — are never skipped silently: each is reported on stderr as
"trent audit: <file>: line N (byte B, S bytes): <why>", the records around
it are still printed, and the exit status is 3.

Exit status: 0 all lines read; 1 the file could not be read; 2 bad flags;
3 some lines are not records.

Flags:
`

// exitUnreadable is the exit status when some lines are not records.
const exitUnreadable = 3

// runAudit implements `trent audit`: print the audit trail, filtered.
func runAudit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trent audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), auditUsage); fs.PrintDefaults() }
	dataDir := fs.String("data-dir", env("TRENT_DATA_DIR", DefaultDataDir), "the server's data directory (env TRENT_DATA_DIR)")
	file := fs.String("file", "", "the audit log to read (default <data-dir>/audit.log)")
	var f audit.Filter
	var since, until string
	asJSON := fs.Bool("json", false, "print the records as JSON lines, as stored")
	fs.StringVar(&f.EventName, "event", "", "only this eventName, e.g. Decrypt")
	fs.StringVar(&f.User, "user", "", "only this user name or principal ARN")
	fs.StringVar(&f.KeyARN, "key", "", "only records naming this key ARN")
	fs.BoolVar(&f.ErrorOnly, "errors", false, "only failed or denied requests")
	fs.StringVar(&since, "since", "", "only records at or after this time (RFC 3339, or a duration ago like 1h)")
	fs.StringVar(&until, "until", "", "only records before this time (RFC 3339, or a duration ago)")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	var err error
	if f.Since, err = parseWhen(since); err != nil {
		fmt.Fprintln(stderr, "trent audit: --since:", err)
		return 2
	}
	if f.Until, err = parseWhen(until); err != nil {
		fmt.Fprintln(stderr, "trent audit: --until:", err)
		return 2
	}
	path := *file
	if path == "" {
		path = filepath.Join(*dataDir, server.AuditFile)
	}
	log, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(stderr, "trent audit:", err)
		return 1
	}
	defer log.Close()
	enc := json.NewEncoder(stdout)
	unreadable := 0
	err = audit.Scan(log, f, func(r *audit.Record) error {
		if *asJSON {
			return enc.Encode(r)
		}
		_, err := fmt.Fprintln(stdout, summary(r))
		return err
	}, func(u audit.Unreadable) error {
		unreadable++
		fmt.Fprintf(stderr, "trent audit: %s: %s\n", path, u)
		return nil
	})
	if err != nil {
		fmt.Fprintln(stderr, "trent audit:", err)
		return 1
	}
	if unreadable > 0 {
		fmt.Fprintf(stderr, "trent audit: %s: %d line(s) are not audit records\n", path, unreadable)
		return exitUnreadable
	}
	return 0
}

// summary is one human-readable line per record.
func summary(r *audit.Record) string {
	who := r.UserIdentity.ARN
	if who == "" {
		who = r.UserIdentity.InvokedBy
	}
	if who == "" {
		who = "(unauthenticated)"
	}
	outcome := "ok"
	if r.ErrorCode != "" {
		outcome = r.ErrorCode
	}
	key := ""
	if len(r.Resources) > 0 {
		key = " " + r.Resources[0].ARN
	}
	return fmt.Sprintf("%s %-32s %-28s %s%s", r.EventTime.Format(time.RFC3339), r.EventName, outcome, who, key)
}

// parseWhen accepts RFC 3339 or a duration before now; "" is the zero time.
func parseWhen(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	return time.Parse(time.RFC3339, s)
}
