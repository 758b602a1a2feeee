package datadir

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLock(t *testing.T) {
	dir := t.TempDir()
	l, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Path() != filepath.Join(dir, LockFile) {
		t.Fatalf("Path = %s", l.Path())
	}
	b, _ := os.ReadFile(l.Path())
	if !strings.HasPrefix(string(b), fmt.Sprintf("%d ", os.Getpid())) {
		t.Fatalf("lock file holds %q", b)
	}
	// flock(2) locks belong to the open file: a second Lock, even in this
	// process, is refused, and names the holder.
	_, err = Lock(dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("held by process %d (", os.Getpid())) {
		t.Fatalf("second Lock: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after Close: %v", err)
	}
	defer l2.Close()
	if _, err := Lock(filepath.Join(dir, "missing")); err == nil || errors.Is(err, ErrLocked) {
		t.Fatalf("Lock of a missing dir: %v", err)
	}
}

// TestLockOtherProcess holds the lock in another process (flock(1)) and
// checks that Lock refuses while it runs and succeeds once it has exited.
func TestLockOtherProcess(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("flock(1) (util-linux) is needed in CI")
		}
		t.Skip("flock(1) not installed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, LockFile)
	if err := os.WriteFile(path, []byte("4242 trent server\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("flock", "--exclusive", path, "sh", "-c", "echo locked; read x; true")
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil {
		t.Fatal(err)
	}
	_, err := Lock(dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "held by process 4242 (trent server)") {
		t.Fatalf("Lock while another process holds it: %v", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	l, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after the holder exited: %v", err)
	}
	l.Close()
}
