package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/trent-kms/trent/internal/policy"
)

const adminUsage = `Usage: trent admin <command> [flags]

Commands:
  key-policy          print the key policy the AWS console generates (for review)
  create-user, list-users, delete-user
  create-access-key, list-access-keys, update-access-key, delete-access-key
  attach-user-policy, put-user-policy
                      IAM calls to a running server (--endpoint-url, standard AWS credentials)
  root-key create|show, migrate-root-key
                      the HSM root key: create it in a PKCS#11 token, move a data dir onto it
`

// runAdmin implements `trent admin`.
func runAdmin(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return 2
	}
	switch args[0] {
	case "key-policy":
		return runKeyPolicy(args[1:], stdout, stderr)
	case "root-key", "migrate-root-key":
		return runRootKeyAdmin(args, stdout, stderr)
	}
	if _, ok := adminIAMCommands[args[0]]; ok {
		return runAdminIAM(args[0], args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "trent admin: unknown command %q\n\n%s", args[0], adminUsage)
	return 2
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runKeyPolicy prints the key policy the AWS console generates for chosen
// key administrators and key users, for review before CreateKey.
func runKeyPolicy(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trent admin key-policy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var admins, users listFlag
	account := fs.String("account-id", env("TRENT_ACCOUNT_ID", DefaultAccountID), "the key's account (env TRENT_ACCOUNT_ID)")
	canDelete := fs.Bool("admin-can-delete", false, "key administrators may schedule and cancel the key's deletion")
	fs.Var(&admins, "admin", "a key administrator: user name or principal ARN (repeatable)")
	fs.Var(&users, "user", "a key user: user name or principal ARN (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !accountIDPattern.MatchString(*account) {
		fmt.Fprintf(stderr, "trent admin key-policy: --account-id must be 12 digits, got %q\n", *account)
		return 2
	}
	arn := func(names []string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			if strings.HasPrefix(n, "arn:") {
				out[i] = n
			} else {
				out[i] = "arn:aws:iam::" + *account + ":user/" + n
			}
		}
		return out
	}
	doc := policy.ConsoleKeyPolicy{
		AccountID: *account, Administrators: arn(admins), AdministratorDelete: *canDelete, Users: arn(users),
	}.Document()
	fmt.Fprintln(stdout, doc)
	return 0
}
