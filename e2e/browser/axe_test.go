package browser

import (
	"crypto/sha256"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release scripts/setup-test-deps.sh installs
// (pinned there with its tarball's sha512) at axeDefaultPath.
const (
	axeVersion     = "4.14.1"
	axeDefaultPath = "/var/cache/trent-test/axe-core/axe.min.js"
)

// axeTags are the rule sets run: WCAG 2.0 and 2.1, levels A and AA.
const axeTags = `["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]`

var (
	// axeChecked holds the SHA-256 of the markup of pages axe-core passed
	// (their CSRF token values left out).
	axeMu      sync.Mutex
	axeChecked = map[[32]byte]bool{}
	csrfValue  = regexp.MustCompile(`value="[A-Za-z0-9_-]{43}"`)

	axeOnce sync.Once
	axeJS   string
	axeErr  error
)

// axeSource is axe-core's script: $TRENT_AXE_JS, else axeDefaultPath, which
// must be the pinned release.
func axeSource(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		path := os.Getenv("TRENT_AXE_JS")
		if path == "" {
			path = axeDefaultPath
		}
		b, err := os.ReadFile(path)
		if err != nil {
			axeErr = err
			return
		}
		if head := string(b[:min(len(b), 64)]); !strings.Contains(head, "axe v"+axeVersion+"\n") && !strings.Contains(head, "axe v"+axeVersion+" ") {
			axeErr = fmt.Errorf("%s is not axe-core %s (re-run scripts/setup-test-deps.sh)", path, axeVersion)
			return
		}
		axeJS = string(b)
	})
	if axeErr != nil {
		require(t, "axe-core "+axeVersion, axeErr)
	}
	return axeJS
}

// axeViolation is one rule an axe run found broken, with the nodes that
// break it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axe injects axe-core into the page b shows and runs its WCAG 2.1 A/AA
// rules; a serious or critical violation fails the test, listed with the
// nodes that cause it. Lesser ones are logged.
//
// The script is evaluated through the DevTools protocol (Runtime.evaluate),
// which the page's Content-Security-Policy (script-src 'self') does not
// govern: the console needs no exception for the test.
func axe(t *testing.T, b *tab) {
	t.Helper()
	// A page whose markup is one already checked (as the sign-in page is
	// in every test) is not checked again: axe-core's result depends on
	// the DOM and the viewport only, and each run costs about a second.
	html := js[string](b, `document.documentElement.outerHTML`)
	sum := sha256.Sum256([]byte(csrfValue.ReplaceAllString(html, "")))
	axeMu.Lock()
	seen := axeChecked[sum]
	axeMu.Unlock()
	if seen {
		return
	}
	var bad []string
	for _, v := range axeViolations(t, b) {
		line := fmt.Sprintf("[%s] %s: %s\n\t%s", v.Impact, v.ID, v.Help, strings.Join(v.Nodes, "\n\t"))
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, line)
		} else {
			t.Logf("axe (%s): %s", b.path(), line)
		}
	}
	if len(bad) == 0 {
		axeMu.Lock()
		axeChecked[sum] = true
		axeMu.Unlock()
	}
	if len(bad) > 0 {
		t.Errorf("axe-core: %d serious or critical WCAG 2.1 A/AA violations on %s:\n%s", len(bad), b.path(), strings.Join(bad, "\n"))
	}
}

// axeViolations injects axe-core into the page, if it has not got it yet,
// and returns what its WCAG 2.1 A/AA rules find.
func axeViolations(t *testing.T, b *tab) []axeViolation {
	t.Helper()
	loaded := js[bool](b, `typeof window.axe === "object"`)
	if !loaded {
		b.do(chromedp.Evaluate[chromedp.Void](axeSource(t)))
	}
	return run(b, chromedp.Evaluate[[]axeViolation](`axe.run(document, {
		runOnly: {type: "tag", values: `+axeTags+`},
		resultTypes: ["violations"],
	}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help,
		nodes: v.nodes.map(n => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\s+/g, " ")),
	})))`, chromedp.EvalAwaitPromise))
}
