package cli

import (
	"bytes"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/policy"
)

func TestAdminKeyPolicy(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main([]string{"admin", "key-policy", "--account-id", "123456789012", "--admin", "kms-admin", "--admin-can-delete",
		"--user", "app", "--user", "arn:aws:iam::210987654321:user/partner"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if _, err := policy.Parse(out.String(), policy.KeyPolicy); err != nil {
		t.Fatalf("printed policy does not parse: %v\n%s", err, out.String())
	}
	for _, want := range []string{`"arn:aws:iam::123456789012:user/kms-admin"`, `"kms:ScheduleKeyDeletion"`,
		`"arn:aws:iam::123456789012:user/app"`, `"arn:aws:iam::210987654321:user/partner"`, `"arn:aws:iam::123456789012:root"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("policy lacks %s:\n%s", want, out.String())
		}
	}
}

// TestAdminKeyPolicyWithoutAccountRoot checks --no-account-root: the
// account root statement goes, the others stay in order, and the lockout
// check of --caller refuses what KMS would refuse.
func TestAdminKeyPolicyWithoutAccountRoot(t *testing.T) {
	base := []string{"admin", "key-policy", "--account-id", "123456789012", "--no-account-root", "--user", "app"}
	tests := []struct {
		name    string
		args    []string
		code    int
		stderr  string
		lockout bool // the printed policy locks the caller "kms-admin" out
	}{
		{name: "admin kept", args: []string{"--admin", "kms-admin"}},
		{name: "caller is an admin", args: []string{"--admin", "kms-admin", "--caller", "kms-admin"}},
		{name: "caller is an admin by ARN", args: []string{"--admin", "kms-admin", "--caller", "arn:aws:iam::123456789012:user/kms-admin"}},
		{name: "caller is only a user", args: []string{"--admin", "kms-admin", "--caller", "app"}, code: 1, stderr: "would be locked out"},
		{name: "root caller", args: []string{"--admin", "kms-admin", "--caller", "arn:aws:iam::123456789012:root"}, code: 1, stderr: "would be locked out"},
		{name: "no admin", args: nil, code: 2, stderr: "needs at least one --admin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(append(append([]string{}, base...), tc.args...), &out, &errOut)
			if code != tc.code || !strings.Contains(errOut.String(), tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want exit %d, stderr containing %q", code, errOut.String(), tc.code, tc.stderr)
			}
			if code != 0 {
				return
			}
			doc := out.String()
			if strings.Contains(doc, ":root") || strings.Contains(doc, "Enable IAM User Permissions") {
				t.Errorf("the account root statement is still there:\n%s", doc)
			}
			p, err := policy.Parse(doc, policy.KeyPolicy)
			if err != nil {
				t.Fatalf("printed policy does not parse: %v\n%s", err, doc)
			}
			if len(p.Statements) != 3 || p.Statements[0].Sid != "Allow access for Key Administrators" {
				t.Errorf("statements: %+v", p.Statements)
			}
			admin := policy.Principal{ARN: "arn:aws:iam::123456789012:user/kms-admin", AccountID: "123456789012", UserName: "kms-admin"}
			if policy.LocksOut(p, policy.Request{Resource: "*", Principal: admin}) {
				t.Errorf("the administrator is locked out:\n%s", doc)
			}
		})
	}
}

// TestHelp checks that every way of asking for help prints it on standard
// output and exits 0, and that a mistake still exits 2 on standard error.
func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string // in stdout
	}{
		{[]string{"-h"}, []string{"create-user", "create-access-key", "attach-user-policy", "key-policy", "root-key", "migrate-root-key"}},
		{[]string{"--help"}, []string{"Usage: trent <command>"}},
		{[]string{"admin", "-h"}, []string{"Usage: trent admin", "create-access-key", "root-key create|show", "AWS_ENDPOINT_URL_KMS"}},
		{[]string{"admin", "help"}, []string{"Usage: trent admin"}},
		{[]string{"admin", "root-key", "-h"}, []string{"trent admin root-key create"}},
		{[]string{"admin", "key-policy", "-h"}, []string{"Enable IAM User Permissions", "AdministratorAccess", "-no-account-root", "lockout"}},
		{[]string{"admin", "create-user", "--help"}, []string{"-user-name", "-endpoint-url", "-profile", "-region"}},
		{[]string{"admin", "list-users", "-h"}, []string{"-endpoint-url"}},
		{[]string{"audit", "-h"}, []string{"-data-dir", "-event"}},
		{[]string{"hsm", "-h"}, []string{"Usage: trent hsm"}},
		{[]string{"hsm", "objects", "-h"}, []string{"-module", "-json"}},
		{[]string{"byok", "-h"}, []string{"Usage: trent byok"}},
		{[]string{"byok", "import", "-h"}, []string{"-hsm-key", "-endpoint-url"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := Main(tc.args, &out, &errOut); code != 0 || errOut.Len() != 0 {
				t.Fatalf("exit %d, stderr %q; want exit 0 and nothing on stderr", code, errOut.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("help lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
	for _, args := range [][]string{{"admin"}, {"admin", "nope"}, {"admin", "create-user", "--nope"}, {"admin", "key-policy", "--account-id", "12"},
		{"audit", "--nope"}, {"admin", "list-users", "extra"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := Main(args, &out, &errOut); code != 2 || out.Len() != 0 || errOut.Len() == 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 with the message on stderr", code, out.String(), errOut.String())
			}
		})
	}
}

func TestIAMEndpoint(t *testing.T) {
	tests := []struct {
		name, flag string
		env        map[string]string
		want       string
	}{
		{name: "default", want: "http://127.0.0.1:8700"},
		{name: "flag wins", flag: "http://flag", env: map[string]string{"AWS_ENDPOINT_URL_IAM": "http://iam"}, want: "http://flag"},
		{name: "IAM's own", env: map[string]string{"AWS_ENDPOINT_URL_IAM": "http://iam", "AWS_ENDPOINT_URL": "http://all", "AWS_ENDPOINT_URL_KMS": "http://kms"}, want: "http://iam"},
		{name: "every service's", env: map[string]string{"AWS_ENDPOINT_URL": "http://all", "AWS_ENDPOINT_URL_KMS": "http://kms"}, want: "http://all"},
		{name: "KMS's, as byok uses it", env: map[string]string{"AWS_ENDPOINT_URL_KMS": "http://kms"}, want: "http://kms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := iamEndpoint(tc.flag, func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("iamEndpoint = %q; want %q", got, tc.want)
			}
		})
	}
}

// TestAdminServerDown checks the message when nothing listens at the
// endpoint: it names the endpoint, not the SDK's retry chain.
func TestAdminServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE000000000")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	t.Setenv("AWS_ENDPOINT_URL_KMS", url)
	var out, errOut bytes.Buffer
	code := Main([]string{"admin", "list-users"}, &out, &errOut)
	want := "trent admin list-users: cannot reach Trent at " + url + ": "
	if code != 1 || !strings.HasPrefix(errOut.String(), want) || strings.Contains(errOut.String(), "operation error") {
		t.Fatalf("exit %d, stderr %q; want exit 1 and %q…", code, errOut.String(), want)
	}
}
