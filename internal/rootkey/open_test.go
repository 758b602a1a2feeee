package rootkey

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSoftwareSpec(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"", "file"} {
		rk, closeFn, err := Open(Spec{Value: v, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rk.(*Software); !ok || closeFn() != nil {
			t.Fatalf("%q: %T", v, rk)
		}
	}
	if _, _, err := Open(Spec{Value: "hsm", DataDir: dir}); err == nil {
		t.Fatal("accepted --root-key hsm")
	}
	// After a migration the software key is not created afresh.
	path := filepath.Join(dir, SoftwareKeyFile)
	if err := os.Rename(path, path+".migrated"); err != nil {
		t.Fatal(err)
	}
	_, _, err := Open(Spec{DataDir: dir})
	if !errors.Is(err, ErrWrongRootKey) || !strings.Contains(err.Error(), "migrated to an HSM (root.key.migrated)") {
		t.Fatalf("migrated data dir: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a new root.key was created")
	}
}
