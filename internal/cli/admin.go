package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/policy"
)

const adminUsage = `Usage: trent admin <command> [flags]

Users and access keys (IAM calls to a running server, as aws iam makes them):
  create-user, list-users, delete-user
  create-access-key, list-access-keys, update-access-key, delete-access-key
  attach-user-policy, put-user-policy
      --endpoint-url URL   the server (default: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_KMS,
                           AWS_ENDPOINT_URL, then http://127.0.0.1:8700)
      --profile NAME       a profile of the AWS shared files (default: AWS_PROFILE)
      --region REGION      the SigV4 region (default: the AWS configuration, then us-east-1)
      credentials: the standard AWS chain (AWS_SHARED_CREDENTIALS_FILE, AWS_ACCESS_KEY_ID, …)

Key policies:
  key-policy          print the key policy the AWS console generates, for review before
                      aws kms create-key --policy file://…

Console passwords:
  root-password       set the account root's console password in the store (offline, or PostgreSQL)

The HSM root key:
  root-key create|show
                      create the root key in a PKCS#11 token, or show it
  migrate-root-key    move a data dir from the software root key onto the HSM key

Run 'trent admin <command> -h' for a command's flags.
`

// runAdmin implements `trent admin`.
func runAdmin(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return 2
	}
	switch {
	case isHelp(args[0]):
		fmt.Fprint(stdout, adminUsage)
		return 0
	case args[0] == "root-key" && len(args) > 1 && isHelp(args[1]):
		fmt.Fprint(stdout, rootKeyUsage)
		return 0
	case args[0] == "key-policy":
		return runKeyPolicy(args[1:], stdout, stderr)
	case args[0] == "root-password":
		return runRootPassword(args[1:], stdout, stderr)
	case args[0] == "root-key", args[0] == "migrate-root-key":
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

const keyPolicyUsage = `Usage: trent admin key-policy [--admin NAME]… [--admin-can-delete] [--user NAME]… [--no-account-root [--caller NAME]]

Prints the key policy the AWS console generates for these key administrators and key users.

Like AWS's, the policy's first statement ("Enable IAM User Permissions") allows the account root,
arn:aws:iam::ACCOUNT:root. That does not only let the root user manage the key: it delegates to
IAM, so every user of the account whose IAM policies allow kms:* on the key (AdministratorAccess,
AWSKeyManagementServicePowerUser, …) may use and manage it, whatever the rest of the key policy
says. --no-account-root leaves that statement out: then only the principals named here have
access, the root user included. KMS refuses a policy that would stop the principal creating the
key from changing the policy later (the lockout check: MalformedPolicyDocumentException, "The new
key policy will not allow you to update the key policy in the future."), so that principal must be
one of the --admin; --caller names it and checks the policy here first.

Flags:
`

// runKeyPolicy prints the key policy the AWS console generates for chosen
// key administrators and key users, for review before CreateKey.
func runKeyPolicy(args []string, stdout, stderr io.Writer) int {
	const prefix = "trent admin key-policy"
	fs := flag.NewFlagSet(prefix, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), keyPolicyUsage); fs.PrintDefaults() }
	var admins, users listFlag
	account := fs.String("account-id", env("TRENT_ACCOUNT_ID", DefaultAccountID), "the key's account (env TRENT_ACCOUNT_ID)")
	canDelete := fs.Bool("admin-can-delete", false, "key administrators may schedule and cancel the key's deletion")
	noRoot := fs.Bool("no-account-root", false, "leave out the statement allowing the account root (and through it every IAM administrator); needs --admin")
	caller := fs.String("caller", "", "with --no-account-root: the user name or principal ARN that will call CreateKey; refuse a policy that locks it out")
	fs.Var(&admins, "admin", "a key administrator: user name or principal ARN (repeatable)")
	fs.Var(&users, "user", "a key user: user name or principal ARN (repeatable)")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags come as --name value)\n", prefix, fs.Arg(0))
		return 2
	case !accountIDPattern.MatchString(*account):
		fmt.Fprintf(stderr, "%s: --account-id must be 12 digits, got %q\n", prefix, *account)
		return 2
	case *noRoot && len(admins) == 0:
		fmt.Fprintf(stderr, "%s: --no-account-root needs at least one --admin: without the account root and without administrators nobody could ever change or delete the key\n", prefix)
		return 2
	case *caller != "" && !*noRoot:
		fmt.Fprintf(stderr, "%s: --caller goes with --no-account-root (the account root statement passes the lockout check for every caller of the account)\n", prefix)
		return 2
	}
	arn := func(n string) string {
		if strings.HasPrefix(n, "arn:") {
			return n
		}
		return "arn:aws:iam::" + *account + ":user/" + n
	}
	arns := func(names []string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = arn(n)
		}
		return out
	}
	doc := policy.ConsoleKeyPolicy{
		AccountID: *account, Administrators: arns(admins), AdministratorDelete: *canDelete, Users: arns(users),
	}.Document()
	if *noRoot {
		var err error
		if doc, err = withoutAccountRoot(doc, *account); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
			return 1
		}
	}
	if *caller != "" {
		if err := checkLockout(doc, arn(*caller), *account); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
			return 1
		}
	}
	fmt.Fprintln(stdout, doc)
	return 0
}

// withoutAccountRoot removes the statements of doc whose principal is the
// account root alone: the console's "Enable IAM User Permissions". The
// other statements keep their order and the order of their members.
func withoutAccountRoot(doc, account string) (string, error) {
	var p struct {
		Version   string            `json:"Version"`
		ID        string            `json:"Id"`
		Statement []json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return "", err
	}
	root := "arn:aws:iam::" + account + ":root"
	kept := p.Statement[:0]
	for _, raw := range p.Statement {
		var s struct {
			Principal struct {
				AWS any `json:"AWS"`
			} `json:"Principal"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		if s.Principal.AWS != root {
			kept = append(kept, raw)
		}
	}
	p.Statement = kept
	out, err := json.MarshalIndent(p, "", "    ")
	return string(out), err
}

// checkLockout applies KMS's lockout check to doc for the principal
// callerARN, as CreateKey will.
func checkLockout(doc, callerARN, account string) error {
	p, err := policy.Parse(doc, policy.KeyPolicy)
	if err != nil {
		return err
	}
	pr := policy.Principal{ARN: callerARN, AccountID: account}
	if name, ok := strings.CutPrefix(callerARN, "arn:aws:iam::"+account+":user/"); ok {
		pr.UserName = name
	}
	if policy.LocksOut(p, policy.Request{Resource: "*", Principal: pr, Time: time.Now()}) {
		return fmt.Errorf("%s would be locked out: KMS refuses this policy from it (MalformedPolicyDocumentException: The new key policy will not allow you to update the key policy in the future.); make it an --admin", callerARN)
	}
	return nil
}
