package pkcs11

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadPINFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		mode          os.FileMode
		pin           string
		warned        bool
	}{
		{"first line", "1234\r\nrest\n", 0o600, "1234", false},
		{"readable by others", "1234\n", 0o644, "1234", true},
		{"empty", "\n", 0o600, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			var warnings []string
			pin, err := ReadPINFile(path, func(m string) { warnings = append(warnings, m) })
			if pin != tc.pin || (err == nil) != (tc.pin != "") || (len(warnings) > 0) != tc.warned {
				t.Fatalf("ReadPINFile = %q, %v, warnings %q", pin, err, warnings)
			}
			if err != nil && strings.Contains(err.Error(), tc.content) && tc.content != "\n" {
				t.Fatalf("the error holds the file's content: %v", err)
			}
		})
	}
}
