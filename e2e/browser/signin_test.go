package browser

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/server"
)

// signIn fills the sign-in form (the root if user is "") and submits it;
// the caller checks where it landed.
func (b *tab) signIn(user, password, landing string) {
	b.t.Helper()
	b.open("/console/signin", "signin")
	if user == "" {
		b.click("as-root")
	} else {
		b.click("as-iam")
		b.fill("username", user)
	}
	b.fill("password", password)
	b.submit("signin", landing)
}

// signInOK signs in and fails the test unless it left the sign-in page.
func (b *tab) signInOK(user, password, landing string) {
	b.t.Helper()
	b.signIn(user, password, landing)
	if p := b.path(); strings.HasPrefix(p, "/console/signin") {
		b.t.Fatalf("sign-in as %q stayed at %s: %s", user, p, b.alert())
	}
}

// signOut clicks the header's Sign out button.
func (b *tab) signOut() {
	b.t.Helper()
	b.submit("signout", "signed-out")
	if p := b.path(); p != "/console/signin" {
		b.t.Fatalf("sign-out landed at %s", p)
	}
}

// TestSignInRefusals: a wrong password is refused with AWS's message,
// which names neither part; after five failures even the right password
// is throttled, with the wait shown; the page stays the sign-in page.
func TestSignInRefusals(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	b := newTab(t, srv)

	b.signIn("", "Wrong-Passw0rd!", "wrong-password")
	if a := b.alert(); !strings.Contains(a, "SignInFailed") || !strings.Contains(a, "Your authentication information is incorrect. Please try again.") {
		t.Errorf("wrong password: alert %q", a)
	}
	if p := b.path(); p != "/console/signin" {
		t.Errorf("wrong password: at %s", p)
	}
	// The form keeps what was typed but the password.
	if v := js[string](b, `document.getElementById("password").value`); v != "" {
		t.Error("the refused password is still in the form")
	}

	for i := 2; i <= 5; i++ {
		b.fill("password", "Wrong-Passw0rd!")
		b.submit("signin", fmt.Sprintf("wrong-password-%d", i))
		if a := b.alert(); !strings.Contains(a, "SignInFailed") {
			t.Fatalf("failure %d: alert %q", i, a)
		}
	}
	b.fill("password", rootPassword)
	b.submit("signin", "throttled")
	if a := b.alert(); !strings.Contains(a, "Throttling") || !strings.Contains(a, "Too many failed sign-in attempts. Wait ") {
		t.Errorf("sixth attempt, right password: alert %q", a)
	}
	if p := b.path(); p != "/console/signin" {
		t.Errorf("throttled sign-in went to %s", p)
	}
}

// TestSignInAndOut: the root signs in to the console's home and signs
// out; the home page then asks for a sign-in again, and a sign-in goes
// back to the page that asked.
func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	b := newTab(t, srv)
	b.signInOK("", rootPassword, "home")
	if p := b.path(); p != "/console/" {
		t.Errorf("signed in at %s", p)
	}
	if who := b.text("header .who span"); !strings.HasPrefix(who, "root @ "+accountID) {
		t.Errorf("header says %q", who)
	}
	b.open("/console/no-such-page", "not-found")
	if h := b.text("h1"); h != "Not found" {
		t.Errorf("an unknown console path: heading %q", h)
	}
	b.signOut()
	b.open("/console/", "home-signed-out")
	if p := b.path(); p != "/console/signin?next=%2Fconsole%2F" {
		t.Errorf("home after sign-out: at %s", p)
	}
}

// TestSessionTimeout: a session idle past ConsoleIdleTimeout is over: the
// next page asks for a sign-in, and the form of the old page changes
// nothing.
func TestSessionTimeout(t *testing.T) {
	t.Parallel()
	srv := startServer(t, func(c *server.Config) { c.ConsoleIdleTimeout = 2 * time.Second })
	b := newTab(t, srv)
	b.signInOK("", rootPassword, "home")
	time.Sleep(2500 * time.Millisecond)
	b.open("/console/kms/keys", "timed-out")
	if p := b.path(); p != "/console/signin?next=%2Fconsole%2Fkms%2Fkeys" {
		t.Fatalf("after the idle timeout: at %s", p)
	}
	b.click("as-root")
	b.fill("password", rootPassword)
	b.submit("signin", "back-after-sign-in")
	if p := b.path(); p != "/console/kms/keys" {
		t.Errorf("sign-in after the timeout went to %s, not back to the keys", p)
	}
}
