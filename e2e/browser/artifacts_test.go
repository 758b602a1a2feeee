package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// artifactDir is $TRENT_ARTIFACTS/browser/<test>/ (default: .artifacts at
// the repository's root, which git ignores), emptied for this run.
func artifactDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("TRENT_ARTIFACTS")
	if root == "" {
		var err error
		if root, err = filepath.Abs(filepath.Join("..", "..", ".artifacts")); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(root, "browser", unsafeName.ReplaceAllString(t.Name(), "_"))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shot writes a full-page PNG of the page b shows as NN-name.png in the
// test's artifact directory.
func shot(t *testing.T, b *tab, name string) {
	t.Helper()
	b.n++
	png := run(b, chromedp.FullScreenshot(100))
	file := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, unsafeName.ReplaceAllString(name, "-")))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
