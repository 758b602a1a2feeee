package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
	"github.com/trent-kms/trent/internal/server"
)

// The HSM walk-throughs of the documentation run here as written, so that
// each works on the token it names. A fenced shell block preceded by the
// comment <!-- test: NAME… --> belongs to the walk-through NAME of its
// file; a walk-through's blocks run in order in one bash (set -euo
// pipefail) with HOME a fresh directory, in a directory that stands for
// the repository root (bin/trent, and trent-data/ of a fresh server,
// which plays `make run`). The server's address replaces 127.0.0.1:8700.

// docsWithWalkthroughs are the files whose marked blocks are tested.
var docsWithWalkthroughs = []string{"README.md", "docs/luna.md"}

// testMarker is the comment that marks the next fenced block.
var testMarker = regexp.MustCompile(`^<!--\s*test:\s*([a-z0-9 ,-]+?)\s*-->\s*$`)

// walkthroughBlocks returns, for each walk-through name, the marked
// blocks of the Markdown text r in order.
func walkthroughBlocks(r io.Reader) (map[string][]string, error) {
	out := map[string][]string{}
	sc := bufio.NewScanner(r)
	var names []string // of the marker waiting for its block
	var block *strings.Builder
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		switch {
		case block != nil && strings.TrimSpace(text) == "```":
			for _, n := range names {
				out[n] = append(out[n], block.String())
			}
			names, block = nil, nil
		case block != nil:
			block.WriteString(text + "\n")
		case testMarker.MatchString(text):
			names = strings.FieldsFunc(testMarker.FindStringSubmatch(text)[1], func(r rune) bool { return r == ' ' || r == ',' })
		case names != nil && (text == "```sh" || text == "```bash"):
			block = &strings.Builder{}
		case names != nil && strings.TrimSpace(text) != "":
			return nil, fmt.Errorf("line %d: a test marker must be followed by a ```sh block, found %q", line, text)
		}
	}
	if names != nil {
		return nil, fmt.Errorf("a test marker at the end has no block")
	}
	return out, sc.Err()
}

func TestWalkthroughBlocks(t *testing.T) {
	doc := "intro\n<!-- test: a b -->\n\n```sh\necho one\n```\n```sh\nnot marked\n```\n<!-- test: b -->\n```sh\necho two\n```\n"
	got, err := walkthroughBlocks(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(map[string][]string{"a": {"echo one\n"}, "b": {"echo one\n", "echo two\n"}}) {
		t.Errorf("blocks = %q", got)
	}
	for _, bad := range []string{"<!-- test: a -->\ntext\n```sh\nx\n```\n", "<!-- test: a -->\n"} {
		if _, err := walkthroughBlocks(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestDocsWalkthroughs runs every marked walk-through of the docs.
func TestDocsWalkthroughs(t *testing.T) {
	for _, doc := range docsWithWalkthroughs {
		f, err := os.Open(filepath.Join("..", doc))
		if err != nil {
			t.Fatal(err)
		}
		walks, err := walkthroughBlocks(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		names := make([]string, 0, len(walks))
		for n := range walks {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			t.Run(doc+"/"+name, func(t *testing.T) {
				runDocWalkthrough(t, name, strings.Join(walks[name], "\n"))
			})
		}
	}
}

// requireWalkthroughTools skips (or with CI=true fails) when the token the
// walk-through names, or a client it calls, is not installed.
func requireWalkthroughTools(t *testing.T, name, script string) {
	tokens := map[string][2]string{
		"softhsm": {"SoftHSM2", pkcs11test.SoftHSMModule + " softhsm2-util"},
		"nss":     {"NSS softokn", pkcs11test.NSSModule + " certutil"},
	}
	tok, ok := tokens[name]
	if !ok {
		t.Fatalf("walk-through %q: no token of that name (softhsm, nss)", name)
	}
	module, tool, _ := strings.Cut(tok[1], " ")
	_, err := os.Stat(module)
	if err == nil {
		_, err = exec.LookPath(tool)
	}
	pkcs11test.Require(t, tok[0]+" ("+tok[1]+")", err)
	if strings.Contains(script, "aws ") {
		requireTool(t, "the AWS CLI", func() error { _, err := exec.LookPath("aws"); return err })
	}
}

func runDocWalkthrough(t *testing.T, name, script string) {
	requireWalkthroughTools(t, name, script)
	work := t.TempDir()
	repo, home := filepath.Join(work, "repo"), filepath.Join(work, "home")
	for _, d := range []string{filepath.Join(repo, "bin"), home} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(trentBinary(t), filepath.Join(repo, "bin", "trent")); err != nil {
		t.Fatal(err)
	}
	addr := startMakeRunServer(t, filepath.Join(repo, "trent-data"))
	script = "set -euo pipefail\nset -x\n" + strings.ReplaceAll(script, "127.0.0.1:8700", addr)
	ctx, cancel := context.WithTimeout(context.Background(), walkthroughTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = repo
	cmd.Env = walkthroughEnv(home)
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the %s walk-through failed: %v; output:\n%s", name, err, out)
	}
	t.Logf("%s walk-through ok in %v", name, time.Since(start).Round(time.Millisecond))
}

// walkthroughEnv is this process's environment as a fresh login would
// have it: HOME set, and nothing of AWS, PKCS#11 or Trent configured.
func walkthroughEnv(home string) []string {
	env := []string{"HOME=" + home, "AWS_CONFIG_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "HOME" || strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "TRENT_") || k == "SOFTHSM2_CONF" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// startMakeRunServer starts what `make run` would, with its data dir at
// dataDir, on a free port, and returns the address.
func startMakeRunServer(t *testing.T, dataDir string) string {
	t.Helper()
	ep := serveInProcess(t, server.Config{
		DataDir: dataDir, Region: region, AccountID: accountID,
		SweepInterval: time.Second, WrappingKeyPool: 4, Logger: slog.New(slog.NewTextHandler(serverLog(t), nil)),
	})
	return strings.TrimPrefix(ep.URL, "http://")
}
