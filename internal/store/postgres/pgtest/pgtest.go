// Package pgtest runs throwaway PostgreSQL clusters for tests through
// scripts/pg.sh, which initialises a cluster in a directory, starts it on a
// private port and prints its DSN. Both the store's tests and the
// end-to-end tests use it.
package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// ErrNoBinaries is returned when PostgreSQL is not installed (pg.sh exits 3).
var ErrNoBinaries = errors.New("PostgreSQL binaries (pg_ctl, initdb) not found; install the Debian postgresql package or set TRENT_TEST_POSTGRES_DSN")

// script is scripts/pg.sh, found from this source file's location so that
// tests in any package can call it.
func script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "scripts", "pg.sh")
}

// Run runs `pg.sh cmd dir` (cmd: start, stop, env) and returns what it
// prints, trimmed.
func Run(cmd, dir string, env ...string) (string, error) {
	c := exec.Command(script(), cmd, dir)
	c.Env = append(os.Environ(), env...)
	out, err := c.Output()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		return "", ErrNoBinaries
	case errors.As(err, &exit):
		return "", fmt.Errorf("pg.sh %s: %v: %s", cmd, err, exit.Stderr)
	case err != nil:
		return "", fmt.Errorf("pg.sh %s: %v", cmd, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Start starts a cluster in dir (new or stopped) and returns its DSN.
// Should this process die before stopping it, pg.sh's watchdog stops it.
func Start(dir string) (string, error) {
	return Run("start", dir, "PG_SH_WATCH_PID="+strconv.Itoa(os.Getpid()))
}

// Stop stops the cluster in dir.
func Stop(dir string) error {
	_, err := Run("stop", dir)
	return err
}
