package e2e

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"
)

// The secret scan. Tests remember every secret they hand to or get from a
// server — plaintexts, data keys, imported key material, secret access
// keys — and the harness keeps, for every server, a copy of its data dir
// (database, audit log), its log output and a /metrics scrape. After the
// last test, TestMain searches all of it for every remembered secret in
// raw, hex and base64 form (secretscan_test.go): one found fails the run.

// minSecretLen is the shortest secret remember accepts: shorter ones (a
// plaintext "x", a PIN "1234") occur by chance in any log or database.
const minSecretLen = 6

// credentialsFile is the one file that holds a secret by design: the root
// access key written on first start (mode 0600), shown only once.
const credentialsFile = "root-credentials"

type rememberedSecret struct {
	label  string // the test that used it; never the secret itself
	secret []byte
}

var (
	secretsMu sync.Mutex
	secrets   []rememberedSecret

	evidenceOnce sync.Once
	evidenceRoot string
	evidenceErr  error
	evidenceSeq  int
	evidenceDone = map[string]bool{} // data dirs already copied
)

// remember adds secret to what the scan at the end of the run looks for.
// Secrets shorter than minSecretLen bytes cannot be told apart from chance
// and fail the test: use a longer one.
func remember(t testing.TB, secret []byte) {
	t.Helper()
	if len(secret) < minSecretLen {
		t.Fatalf("remember: a %d-byte secret would be found by chance; use at least %d bytes", len(secret), minSecretLen)
	}
	rememberAs(t.Name(), secret)
}

// rememberAs is remember for code without a *testing.T (load goroutines).
func rememberAs(label string, secret []byte) {
	if len(secret) < minSecretLen {
		panic(fmt.Sprintf("rememberAs(%q): secret shorter than %d bytes", label, minSecretLen))
	}
	secretsMu.Lock()
	defer secretsMu.Unlock()
	secrets = append(secrets, rememberedSecret{label: label, secret: append([]byte(nil), secret...)})
}

// evidenceDir returns (creating it once per run) the directory the run's
// data dirs, logs and scrapes are copied to for the scan.
func evidenceDir(t testing.TB) string {
	evidenceOnce.Do(func() { evidenceRoot, evidenceErr = os.MkdirTemp("", "trent-e2e-evidence-") })
	if evidenceErr != nil {
		t.Fatal(evidenceErr)
	}
	return evidenceRoot
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// newEvidence returns a new directory for one server of t.
func newEvidence(t testing.TB) string {
	secretsMu.Lock()
	evidenceSeq++
	n := evidenceSeq
	secretsMu.Unlock()
	dir := filepath.Join(evidenceDir(t), fmt.Sprintf("%03d-%s", n, unsafeName.ReplaceAllString(t.Name(), "_")))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// keepEvidence returns ep, having remembered its root secret and, when the test ends (before
// its temporary directories go), keeps a /metrics scrape of ep, log (if
// not nil: a process's output) and a copy of ep's data dir for the scan.
// ep.URL must be the API listener (the one /metrics is on by default).
func keepEvidence(t testing.TB, ep *endpoint, log func() string) *endpoint {
	t.Helper()
	remember(t, []byte(ep.Secret))
	dest := newEvidence(t)
	t.Cleanup(func() {
		if body, err := scrapeMetrics(ep.URL); err == nil {
			os.WriteFile(filepath.Join(dest, "metrics.txt"), body, 0o600)
		}
		if log != nil {
			os.WriteFile(filepath.Join(dest, "server.log"), []byte(log()), 0o600)
		}
		secretsMu.Lock()
		done := evidenceDone[ep.DataDir]
		evidenceDone[ep.DataDir] = true
		secretsMu.Unlock()
		if !done { // cleanups run last first: the first copy is the latest
			if err := copyDataDir(ep.DataDir, filepath.Join(dest, "data")); err != nil {
				t.Errorf("keeping the data dir for the secret scan: %v", err)
			}
		}
	})
	return ep
}

// serverLog returns a file, closed when t ends, for the log of a server
// running in the test process.
func serverLog(t testing.TB) io.Writer {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(newEvidence(t), "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func scrapeMetrics(url string) ([]byte, error) {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// copyDataDir puts the regular files under src, but the root credentials
// file, in dst: as hard links where it can, so that what a server still
// running writes afterwards (its last audit records, flushed on shutdown)
// is scanned too; as copies across file systems. Files that vanish
// meanwhile are skipped.
func copyDataDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() || d.Name() == credentialsFile {
			return nil
		}
		rel, _ := filepath.Rel(src, path)
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
			return err
		}
		if os.Link(path, out) == nil {
			return nil
		}
		data, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			return nil
		} else if err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o600)
	})
}

// TestMain runs the tests, then the secret scan over what they left.
func TestMain(m *testing.M) {
	code := m.Run()
	if evidenceRoot != "" {
		secretsMu.Lock()
		all := secrets
		secretsMu.Unlock()
		leaks, err := scanTree(evidenceRoot, newSecretScanner(all))
		switch {
		case err != nil:
			fmt.Fprintf(os.Stderr, "secret scan: %v\n", err)
			code = 1
		case len(leaks) > 0:
			fmt.Fprintf(os.Stderr, "secret scan: %d remembered secrets found in what the servers left (kept in %s):\n", len(leaks), evidenceRoot)
			for _, l := range leaks {
				fmt.Fprintf(os.Stderr, "  %s\n", l)
			}
			code = 1
		default:
			fmt.Fprintf(os.Stderr, "secret scan: %d secrets, none found in %s\n", len(all), evidenceRoot)
			os.RemoveAll(evidenceRoot)
		}
	}
	os.Exit(code)
}
