package rootkey

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSoftwareSealUnseal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "root.key")
	rk, err := OpenSoftware(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	sealed, err := rk.Seal([]byte("secret"), "ctx/a")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("secret")) {
		t.Fatal("sealed value contains the plaintext")
	}
	// The same file opens to the same key.
	again, err := OpenSoftware(path)
	if err != nil || again.ID() != rk.ID() {
		t.Fatalf("reopen: %v, id %q vs %q", err, again.ID(), rk.ID())
	}
	if pt, err := again.Unseal(sealed, "ctx/a"); err != nil || string(pt) != "secret" {
		t.Fatalf("Unseal = %q, %v", pt, err)
	}
	other, _ := OpenSoftware(filepath.Join(t.TempDir(), "other.key"))
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	for _, tc := range []struct {
		name    string
		rk      RootKey
		sealed  []byte
		context string
	}{
		{"other context", rk, sealed, "ctx/b"},
		{"other root key", other, sealed, "ctx/a"},
		{"tampered", rk, tampered, "ctx/a"},
		{"truncated", rk, sealed[:10], "ctx/a"},
		{"empty", rk, nil, "ctx/a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.rk.Unseal(tc.sealed, tc.context); !errors.Is(err, ErrUnseal) {
				t.Fatalf("err = %v, want ErrUnseal", err)
			}
		})
	}
}

func TestSoftwareRefusesUnsafeFiles(t *testing.T) {
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose.key")
	if err := os.WriteFile(loose, make([]byte, 32), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSoftware(loose); err == nil {
		t.Fatal("opened a root key readable by others")
	}
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, make([]byte, 16), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSoftware(short); err == nil {
		t.Fatal("opened a 16-byte root key")
	}
}
