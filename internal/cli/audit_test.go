package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditReportsUnreadableLines: `trent audit` prints every record, names
// each line that is not one on stderr with its line number, and exits 3
// for them (0 for a clean log, 1 for a missing one).
func TestAuditReportsUnreadableLines(t *testing.T) {
	rec := func(name string) string {
		return `{"eventID":"e","eventName":"` + name + `","eventTime":"2026-01-01T00:00:00Z","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/app"}}` + "\n"
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		code          int
		stdout        []string
		stderr        []string
	}{
		{"clean", rec("Encrypt") + rec("Decrypt"), 0, []string{"Encrypt", "Decrypt"}, nil},
		{"torn and damaged lines", rec("Encrypt") + "{\"eventID\":\"x\",\"ev\n" + rec("Decrypt") + "\x00\x00",
			exitUnreadable, []string{"Encrypt", "Decrypt"},
			[]string{": line 2 (byte ", "not an audit record", ": line 4 (byte ", "incomplete last line", "2 line(s) are not audit records"}},
		{"missing file", "", 1, nil, []string{"no such file"}},
		{"help", "", 0, []string{"Usage: trent audit", "exit status is 3", "-file"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".log")
			if tc.content != "" {
				os.WriteFile(path, []byte(tc.content), 0o600)
			}
			var stdout, stderr bytes.Buffer
			args := []string{"--file", path}
			if tc.name == "help" {
				args = []string{"-h"}
			}
			if code := runAudit(args, &stdout, &stderr); code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, &stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, &stdout)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, &stderr)
				}
			}
			if tc.stderr == nil && stderr.Len() != 0 {
				t.Errorf("unexpected stderr:\n%s", &stderr)
			}
		})
	}
}
