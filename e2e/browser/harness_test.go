// Package browser drives Trent's web console in a real browser: Debian's
// Chromium, headless, through the DevTools protocol (chromedp), against a
// server.New started in this process on 127.0.0.1:0. Every page a test
// visits is screenshotted into $TRENT_ARTIFACTS/browser/<test>/ and checked
// with axe-core (no serious or critical WCAG 2.1 A/AA violation). Clients
// outside the browser are the real ones: the AWS CLI with the access key
// the console showed, and `trent hsm` against a SoftHSM2 token.
//
// A missing Chromium, axe-core, AWS CLI or SoftHSM2 skips a test, unless
// CI is "true", where it fails: scripts/setup-test-deps.sh installs them.
package browser

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/server/servertest"
)

const (
	accountID    = "111122223333"
	region       = "us-east-1"
	rootPassword = "Root-Passw0rd!" // test value only
)

// trentServer is a running server, its data dir and the root's access key.
type trentServer servertest.Server

// startServer runs server.New in this process on 127.0.0.1:0, with the
// account root's console password set to rootPassword, until the test
// ends. configure, if not nil, adjusts the configuration first (short
// console timeouts, short-lived import parameters).
func startServer(t *testing.T, configure func(*server.Config)) *trentServer {
	t.Helper()
	dir := t.TempDir()
	servertest.SetConsolePassword(t, dir, "", "", rootPassword)
	cfg := server.Config{
		DataDir: dir, AccountID: accountID, Region: region, SweepInterval: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if configure != nil {
		configure(&cfg)
	}
	return (*trentServer)(servertest.Start(t, cfg))
}

// require skips the test when err is not nil, or fails it when CI is
// "true" (where scripts/setup-test-deps.sh has installed what is missing).
func require(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required when CI=true (scripts/setup-test-deps.sh installs it): %v", what, err)
	}
	t.Skipf("%s is not available (%v); set CI=true to make this a failure", what, err)
}

var (
	buildStarted atomic.Bool
	buildOnce    sync.Once
	buildDir     string
	trentBin     string
	buildErr     error
)

// startBuild starts buildTrent in the background, so that the build
// overlaps the browser's work; TestMain waits for it.
func startBuild() {
	buildStarted.Store(true)
	go buildTrent()
}

// buildTrent builds cmd/trent once per test binary, on first use (only
// the tests that run `trent hsm` pay for it).
func buildTrent() (string, error) {
	buildStarted.Store(true)
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "trent-browser-bin-")
		if buildErr != nil {
			return
		}
		trentBin = filepath.Join(buildDir, "trent")
		out, err := exec.Command("go", "build", "-o", trentBin, "../../cmd/trent").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err: err, out: string(out)}
		}
	})
	return trentBin, buildErr
}

// trentBinary is buildTrent's binary; the test fails if the build did.
func trentBinary(t *testing.T) string {
	t.Helper()
	bin, err := buildTrent()
	if err != nil {
		t.Fatalf("go build ./cmd/trent: %v", err)
	}
	return bin
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if buildStarted.Load() {
		buildTrent() // waits for a build a test started and left running
	}
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}
