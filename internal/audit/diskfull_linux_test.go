package audit

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// smallDisk mounts a tmpfs of size bytes for the test, skipping where that
// is not allowed (not root, a container without CAP_SYS_ADMIN) unless CI
// is "true".
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount tmpfs (CI=true; run as root): %v", err)
		}
		t.Skipf("mount tmpfs: %v (run as root, or CI=true to make this a failure)", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// TestDiskFull: on a full disk Write fails and says so, Healthy reports
// it, no torn line is left, and Failures counts every lost record; once
// space is freed Healthy recovers by itself within ProbeInterval, without
// any Write, and records are written again.
func TestDiskFull(t *testing.T) {
	dir := smallDisk(t, "512k")
	// The filler takes most of the disk, so the log fills the rest fast
	// and removing the filler frees it.
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 400<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	var acked []string
	var werr error
	var before int64
	for i := 0; werr == nil; i++ {
		if i > 10000 {
			t.Fatal("the disk never filled")
		}
		fi, _ := os.Stat(path)
		before = fi.Size()
		r := testRecord("u", i)
		if werr = l.Write(r); werr == nil {
			acked = append(acked, r.EventID)
		}
	}
	t.Logf("disk full after %d records, %d bytes: %v", len(acked), before, werr)
	if !errors.Is(werr, syscall.ENOSPC) {
		t.Fatalf("Write error %v, want ENOSPC", werr)
	}
	if fi, _ := os.Stat(path); fi.Size() != before {
		t.Fatalf("log is %d bytes after the failed write, was %d: a partial record stayed", fi.Size(), before)
	}
	if err := l.Healthy(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Healthy() = %v on a full disk", err)
	}
	for range 3 {
		if err := l.Write(testRecord("u", -1)); err == nil {
			t.Fatal("Write succeeded on a full disk")
		}
	}
	if got := l.Failures(); got != 4 {
		t.Fatalf("Failures() = %d, want 4", got)
	}
	// Still full: a probe, due now, does not take a few free bytes at the
	// end of the last page for a writable disk.
	time.Sleep(ProbeInterval)
	if err := l.Healthy(); err == nil {
		t.Fatal("Healthy() = nil while the disk is still full")
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(ProbeInterval + 500*time.Millisecond)
	for l.Healthy() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("still unhealthy %v after space was freed", l.Healthy())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := range 20 {
		r := testRecord("after", i)
		if err := l.Write(r); err != nil {
			t.Fatalf("Write %d after space was freed: %v", i, err)
		}
		acked = append(acked, r.EventID)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	recs, bad := readAll(t, path)
	if len(bad) != 0 {
		t.Fatalf("unreadable lines: %v", bad)
	}
	if len(recs) != len(acked) {
		t.Fatalf("%d records in the log, %d acknowledged", len(recs), len(acked))
	}
	for i, r := range recs {
		if r.EventID != acked[i] {
			t.Fatalf("record %d is %s, acknowledged %s", i, r.EventID, acked[i])
		}
	}
	if b, _ := os.ReadFile(path); !bytes.HasSuffix(b, newline) {
		t.Fatal("log does not end with a newline")
	}
}
