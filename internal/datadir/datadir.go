// Package datadir guards a Trent data dir against two processes changing
// it at once: a running server and an offline admin command (`trent admin
// migrate-root-key`), or two servers.
//
// The guard is an advisory lock, flock(2) LOCK_EX|LOCK_NB on the file
// "lock" in the data dir, held for as long as the process uses the dir
// (a server: its whole lifetime). The kernel releases it when the process
// exits, however it exits, so a crash never leaves the dir locked. The
// file holds the holder's PID and command, for the message the next
// process gets; it is never removed (removing it would let two processes
// lock two different files of the same name).
//
// The lock covers one host: nodes sharing a PostgreSQL store have data
// dirs of their own, and are kept apart by fencing instead
// (rootkey.Fence).
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockFile is the lock's file name in the data dir.
const LockFile = "lock"

// ErrLocked is wrapped by Lock's error when another process holds the lock.
var ErrLocked = errors.New("the data dir is in use")

// Locked is a held data-dir lock (Lock's result). Release it with Close
// (or let the process exit).
type Locked struct {
	f    *os.File
	path string
}

// Lock takes the data dir's lock without waiting. If another process holds
// it, the error wraps ErrLocked and names that process's PID and command.
// dir must exist. The caller must keep the Lock (and Close it when done
// with the dir): a Locked that is garbage-collected releases the lock.
func Lock(dir string) (*Locked, error) {
	path := filepath.Join(dir, LockFile)
	// Not O_TRUNC: the holder's PID is in the file until we hold the lock.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("datadir: %w", err)
	}
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("datadir: %w: %s is held by %s: stop it first (a running server seals new secrets under the root key it started with)",
				ErrLocked, path, holder(path))
		}
		return nil, fmt.Errorf("datadir: locking %s: %w", path, err)
	}
	me := fmt.Sprintf("%d %s\n", os.Getpid(), strings.Join(command(), " "))
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(me), 0) // only informative: the lock is what counts
	}
	return &Locked{f: f, path: path}, nil
}

// Close releases the lock. The file stays.
func (l *Locked) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close() // closing the last descriptor releases the flock
	l.f = nil
	return err
}

// Path is the lock file's path.
func (l *Locked) Path() string { return l.path }

// holder describes the process named in the lock file.
func holder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "another process"
	}
	pid, cmd, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if _, err := strconv.Atoi(pid); err != nil {
		return "another process"
	}
	if cmd == "" {
		return "process " + pid
	}
	return fmt.Sprintf("process %s (%s)", pid, cmd)
}

// command is the process's command: the program's base name and its first
// argument (e.g. "trent server"), never more (arguments may be secrets).
func command() []string {
	if len(os.Args) == 0 {
		return nil
	}
	out := []string{filepath.Base(os.Args[0])}
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		out = append(out, os.Args[1])
	}
	return out
}
