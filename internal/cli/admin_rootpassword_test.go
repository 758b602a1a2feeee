package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/datadir"
	"github.com/trent-kms/trent/internal/login"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

func TestAdminRootPassword(t *testing.T) {
	// Cheap hashes: argon2 at its real cost takes seconds under -race.
	defaults := login.DefaultParams
	t.Cleanup(func() { login.DefaultParams = defaults })
	login.DefaultParams = login.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, databaseFileName))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	profile := func() (store.LoginProfile, error) {
		st, err := sqlite.Open(filepath.Join(dir, databaseFileName))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		return st.GetLoginProfile(context.Background(), "")
	}
	// The root's profile goes through the same UpdateLoginProfile as the
	// console's PasswordResetRequired: set it to see it cleared.
	setReset := func() {
		st, err := sqlite.Open(filepath.Join(dir, databaseFileName))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.UpdateLoginProfile(context.Background(), "", func(p *store.LoginProfile) error {
			p.PasswordResetRequired = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		args    []string
		stdin   string
		lock    bool
		code    int
		out     string // in stdout (code 0) or stderr
		current string // the root's password afterwards; "" for none
	}{
		{name: "no password", args: []string{"--password-stdin"}, stdin: "", code: 1, out: "no password on standard input"},
		{name: "not a terminal", stdin: "Root-pw-1\n", code: 1, out: "give --password-stdin"},
		{name: "argument", args: []string{"Root-pw-1"}, code: 2, out: "never an argument"},
		{name: "weak", args: []string{"--password-stdin"}, stdin: "password\n", code: 1,
			out: "does not meet the password policy: it has 1 of the kinds"},
		{name: "set", args: []string{"--password-stdin", "--account-id", "123456789012"}, stdin: "123456789012aB\n", code: 0,
			out: "password is set", current: "123456789012aB"},
		{name: "locked by a server", args: []string{"--password-stdin"}, stdin: "Root-pw-2\n", lock: true, code: 1,
			out: "stop it first", current: "123456789012aB"},
		{name: "replace", args: []string{"--password-stdin"}, stdin: "Root-pw-2\r\nignored\n", code: 0,
			out: "password is replaced", current: "Root-pw-2"},
		{name: "no data dir", args: []string{"--password-stdin", "--data-dir", filepath.Join(dir, "nope")}, stdin: "Root-pw-3\n", code: 1,
			out: "no database in the data dir", current: "Root-pw-2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oldIn, oldFD := passwordStdin, stdinFD
			t.Cleanup(func() { passwordStdin, stdinFD = oldIn, oldFD })
			passwordStdin = strings.NewReader(tc.stdin)
			stdinFD = func() int { return -1 } // not a terminal
			if tc.lock {
				l, err := datadir.Lock(dir)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
			}
			if tc.name == "replace" {
				setReset()
			}
			var out, errOut bytes.Buffer
			args := append([]string{"admin", "root-password", "--data-dir", dir}, tc.args...)
			code := Main(args, &out, &errOut)
			got := out.String()
			if code != 0 {
				got = errOut.String()
			}
			if code != tc.code || !strings.Contains(got, tc.out) {
				t.Fatalf("exit %d, out %q, stderr %q; want exit %d and %q", code, out.String(), errOut.String(), tc.code, tc.out)
			}
			p, err := profile()
			if tc.current == "" {
				if err == nil {
					t.Errorf("the root has a password")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := login.Verify(tc.current, p.PasswordHash); !ok || p.UserName != "" || p.UserID != "" || p.PasswordResetRequired {
				t.Errorf("profile %+v: password %q verifies: %v", p, tc.current, ok)
			}
		})
	}
}
