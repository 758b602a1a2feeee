package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromePath is Debian's chromium package's browser. The tests never
// download a browser of their own.
const chromePath = "/usr/bin/chromium"

// stepTimeout bounds one browser step (a click and the page it loads).
const stepTimeout = 30 * time.Second

// tab is one browser, with one tab, of one test: a fresh profile, downloads
// into its own directory, 1280×800. Every page it reaches through open or
// submit is screenshotted and checked with axe-core.
type tab struct {
	t         *testing.T
	ctx       context.Context
	srv       *trentServer
	downloads string // where the browser saves downloads
	shots     string // the test's artifact directory
	n         int    // pages screenshotted so far

	mu  sync.Mutex
	csp []string // Content-Security-Policy violations the browser logged
}

// newTab starts Chromium for t against srv; it stops when t ends.
func newTab(t *testing.T, srv *trentServer) *tab {
	t.Helper()
	if _, err := exec.LookPath(chromePath); err != nil {
		require(t, "Chromium (Debian package chromium)", err)
	}
	axeSource(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromePath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		// Without these Chromium tries to reach Google's hosts at start,
		// which this machine's closed network refuses.
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true), chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800))
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	tb := &tab{t: t, ctx: ctx, srv: srv, downloads: t.TempDir(), shots: artifactDir(t)}
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		t.Fatalf("starting %s: %v", chromePath, err)
	}
	tb.do(chromedp.EmulateViewport(1280, 800))
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: tb.downloads, EventsEnabled: new(true)})
	if err != nil {
		t.Fatalf("Browser.setDownloadBehavior: %v", err)
	}
	// The browser logs what the page's Content-Security-Policy blocked (an
	// inline script or style attribute): each is a console defect.
	entries := chromedp.Events(ctx, cdplog.EntryAdded)
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("Log.enable: %v", err)
	}
	go func() {
		for ev, err := range entries {
			if err != nil {
				return
			}
			if ev.Entry != nil && strings.Contains(ev.Entry.Text, "Content Security Policy") {
				tb.mu.Lock()
				tb.csp = append(tb.csp, ev.Entry.Text)
				tb.mu.Unlock()
			}
		}
	}()
	return tb
}

// do runs steps, failing the test (with a screenshot of where it stood)
// on the first error.
func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.failed(err)
	}
}

// run runs one action that returns a value.
func run[T any](b *tab, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.failed(err)
	}
	return v
}

func (b *tab) failed(err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Location())
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(b.shots, "failure.png"), png, 0o644)
	}
	b.t.Fatalf("browser at %s: %v (screenshot: %s)", where, err, filepath.Join(b.shots, "failure.png"))
}

// open navigates to the console path and checks the page it lands on
// (after redirects) as name.
func (b *tab) open(path, name string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.srv.URL + path))
	b.visited(name)
}

// submit clicks the button (or link) id, waits for the page it loads and
// checks it as name.
func (b *tab) submit(id, name string) {
	b.t.Helper()
	run(b, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.ID(id))))
	b.visited(name)
}

// visited screenshots the page now shown and checks it with axe-core.
func (b *tab) visited(name string) {
	b.t.Helper()
	b.do(chromedp.WaitReady(chromedp.CSS("body")))
	shot(b.t, b, name)
	axe(b.t, b)
	if csp := b.blocked(); len(csp) > 0 {
		b.t.Errorf("page %q: the Content-Security-Policy blocked:\n%s", name, strings.Join(csp, "\n"))
	}
}

// blocked returns, and forgets, the CSP violations logged so far.
func (b *tab) blocked() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	csp := b.csp
	b.csp = nil
	return csp
}

// fill replaces the value of the input id with text, typed.
func (b *tab) fill(id, text string) {
	b.t.Helper()
	// chromedp.SetValue cannot set "" (the empty argument is lost on the
	// way), so the field is emptied by script.
	b.do(chromedp.WaitVisible(chromedp.ID(id)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = ""`, id)),
		chromedp.SendKeys(chromedp.ID(id), text))
}

// click clicks the element id (a checkbox, a radio button, a link that
// does not load a page).
func (b *tab) click(id string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.ID(id)))
}

// text is the visible text of the first element sel matches.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return run(b, chromedp.Text(chromedp.CSS(sel)))
}

// js evaluates expr in the page.
func js[T any](b *tab, expr string) T {
	b.t.Helper()
	return run(b, chromedp.Evaluate[T](expr))
}

// alert is the text of the page's error alert, "" if it has none.
func (b *tab) alert() string {
	b.t.Helper()
	return js[string](b, `(document.querySelector(".alert.error")||{textContent:""}).textContent.trim()`)
}

// path is the path (and query) of the page shown.
func (b *tab) path() string {
	b.t.Helper()
	return js[string](b, `location.pathname + location.search`)
}

// body is the page's text.
func (b *tab) body() string {
	b.t.Helper()
	return js[string](b, `document.body.innerText`)
}

// follow clicks the first link sel (CSS) matches, as a person clicks a
// link without an id (the navigation, a table's row), and checks the page
// it loads as name.
func (b *tab) follow(sel, name string) {
	b.t.Helper()
	run(b, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
	b.visited(name)
}

// download clicks the button id, whose answer is a file, and returns the
// path the browser saved it to, once the download is complete.
func (b *tab) download(id string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	begin := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(id))); err != nil {
		b.failed(err)
	}
	var name string
	for ev, err := range begin {
		if err != nil {
			b.failed(fmt.Errorf("no download began: %w", err))
		}
		name = ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		if err != nil {
			b.failed(fmt.Errorf("the download of %s did not complete: %w", name, err))
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			b.failed(fmt.Errorf("the download of %s was canceled", name))
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	return filepath.Join(b.downloads, name)
}

// upload sets the file input id to the file path, as the file chooser
// does.
func (b *tab) upload(id, path string) {
	b.t.Helper()
	b.do(chromedp.SetUploadFiles(chromedp.ID(id), []string{path}))
}
