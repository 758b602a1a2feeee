package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/server"
)

func TestSignInAndOut(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	if p := b.get(t, "/console/kms/keys"); !strings.HasPrefix(p.URL, "/console/signin") {
		t.Fatalf("a page without a session went to %s, want the sign-in page", p.URL)
	}
	p := b.postForm(t, "/console/signin", url.Values{"as": {"root"}, "account": {testAccount}, "password": {rootPassword}, "next": {"/console/kms/keys"}})
	if p.Status != http.StatusOK || p.URL != "/console/kms/keys" {
		t.Fatalf("sign-in went to %s (%d), want back to /console/kms/keys", p.URL, p.Status)
	}
	if p = b.postForm(t, "/console/signout", nil); !strings.HasPrefix(p.URL, "/console/signin") {
		t.Fatalf("sign-out went to %s", p.URL)
	}
	if p = b.get(t, "/console/"); !strings.HasPrefix(p.URL, "/console/signin") {
		t.Fatalf("after sign-out the home page answered at %s", p.URL)
	}
}

func TestSignInRefusals(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name string
		form url.Values
	}{
		{"wrong password", url.Values{"as": {"root"}, "account": {testAccount}, "password": {"nope-Nope-1"}}},
		{"wrong account", url.Values{"as": {"root"}, "account": {"999999999999"}, "password": {rootPassword}}},
		{"unknown user", url.Values{"as": {"iam"}, "account": {testAccount}, "username": {"ghost"}, "password": {rootPassword}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := h.browser()
			b.get(t, "/console/signin")
			p := b.postForm(t, "/console/signin", c.form)
			if p.Status != http.StatusUnauthorized || !strings.Contains(p.HTML, "Your authentication information is incorrect") {
				t.Fatalf("status %d, page:\n%s", p.Status, p.HTML)
			}
		})
	}
	t.Run("no csrf token", func(t *testing.T) {
		b := h.browser()
		b.get(t, "/console/signin")
		p := b.postForm(t, "/console/signin", url.Values{"csrf": {"forged"}, "as": {"root"}, "account": {testAccount}, "password": {rootPassword}})
		if p.Status != http.StatusForbidden {
			t.Fatalf("a sign-in without its token: status %d", p.Status)
		}
	})
}

func TestSessionPOSTNeedsCSRF(t *testing.T) {
	h := newHarness(t)
	b := h.signInRoot(t)
	p := b.postForm(t, "/console/signout", url.Values{"csrf": {"not-the-token"}})
	if p.Status != http.StatusForbidden {
		t.Fatalf("sign-out without the token: status %d", p.Status)
	}
	if p = b.get(t, "/console/"); p.URL != "/console/" {
		t.Fatalf("the session ended on a forged POST: at %s", p.URL)
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	h := newHarness(t, func(c *server.Config) { c.ConsoleIdleTimeout = 300 * time.Millisecond })
	b := h.signInRoot(t)
	time.Sleep(400 * time.Millisecond)
	if p := b.get(t, "/console/"); !strings.HasPrefix(p.URL, "/console/signin") {
		t.Fatalf("a session idle past its timeout was still served at %s", p.URL)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.URL + "/console/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline script: %q", csp)
	}
	for _, ck := range resp.Cookies() {
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
			t.Errorf("cookie %s: HttpOnly %v SameSite %v", ck.Name, ck.HttpOnly, ck.SameSite)
		}
	}
}
