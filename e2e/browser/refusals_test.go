package browser

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/trent-kms/trent/internal/server"
)

// TestCSRFRefused: the Add user form posted without its CSRF token (the
// hidden input removed from the page) is refused with the console's
// refusal page, and no user is created.
func TestCSRFRefused(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	b := newTab(t, srv)
	b.signInOK("", rootPassword, "home")
	b.follow(`a[href="/console/iam/users"]`, "iam-users")
	b.submit("add-user", "add-user-details")
	b.fill("user", "mallory")
	b.submit("next", "add-user-permissions")
	b.click("policy-AdministratorAccess")
	b.submit("next", "add-user-review")
	removed := js[int](b, `(() => { const f = document.getElementById("add-user-form");
		const ins = f.querySelectorAll('input[name="csrf"]'); ins.forEach(i => i.remove()); return ins.length; })()`)
	if removed != 1 {
		t.Fatalf("the form had %d CSRF inputs", removed)
	}
	b.submit("create-user", "csrf-refused")
	if a := b.alert(); !strings.Contains(a, "InvalidCsrfToken") || !strings.Contains(a, "nothing was changed") {
		t.Errorf("alert %q", a)
	}
	if h := b.text("h1"); h != "Form refused" {
		t.Errorf("heading %q", h)
	}
	if out := srv.aws(t, "iam", "list-users"); strings.Contains(out, "mallory") {
		t.Errorf("the refused form created the user:\n%s", out)
	}
}

// TestAccessDenied: a user without permissions signs in; the key list and
// the user list show AccessDenied as the API said it, and walking the
// Create key wizard to Finish shows CreateKey's AccessDeniedException and
// creates no key.
func TestAccessDenied(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.aws(t, "iam", "create-user", "--user-name", "bob")
	srv.aws(t, "iam", "create-login-profile", "--user-name", "bob", "--password", "Bob-Passw0rd!")
	b := newTab(t, srv)
	b.signInOK("bob", "Bob-Passw0rd!", "bob-home")

	b.follow(`a[href="/console/iam/users"]`, "iam-users-denied")
	if a := b.alert(); !strings.Contains(a, "AccessDenied") || !strings.Contains(a, "iam:ListUsers") {
		t.Errorf("users page: alert %q", a)
	}
	b.follow(`header a[href="/console/kms/keys"]`, "kms-keys-denied")
	if a := b.alert(); !strings.Contains(a, "AccessDeniedException") || !strings.Contains(a, "kms:ListKeys") {
		t.Errorf("keys page: alert %q", a)
	}
	b.submit("create-key", "create-key-configure")
	b.submit("next", "create-key-labels")
	b.fill("alias", "bob-key")
	b.submit("next", "create-key-admins-denied")
	b.submit("next", "create-key-users-denied")
	b.submit("next", "create-key-review")
	b.submit("finish", "create-key-denied")
	if a := b.alert(); !strings.Contains(a, "AccessDeniedException") || !strings.Contains(a, "kms:CreateKey") {
		t.Errorf("Finish: alert %q", a)
	}
	if out := srv.aws(t, "kms", "list-keys"); strings.Contains(out, "KeyId") {
		t.Errorf("a denied CreateKey made a key:\n%s", out)
	}
	// Changing one's own password needs no permission (IAM's
	// ChangePassword of oneself): the page is reachable.
	b.open("/console/password", "password")
}

// TestExpiredImportToken: import parameters that expire in 2 seconds are
// downloaded in the browser and the material wrapped at once; uploaded
// after they expired, ImportKeyMaterial's ExpiredImportTokenException is
// shown and the key stays PendingImport.
func TestExpiredImportToken(t *testing.T) {
	t.Parallel()
	srv := startServer(t, func(c *server.Config) { c.ImportParametersTTL = 2 * time.Second })
	var created struct{ KeyMetadata struct{ KeyId string } }
	mustJSON(t, srv.aws(t, "kms", "create-key", "--origin", "EXTERNAL", "--description", "expiry test"), &created)
	id := created.KeyMetadata.KeyId
	b := newTab(t, srv)
	b.signInOK("", rootPassword, "home")
	b.open("/console/kms/keys/"+id+"?tab=material", "key-material-pending")
	b.submit("import-download", "import-parameters")
	b.click("spec-RSA_2048")
	b.click("alg-RSAES_OAEP_SHA_256")
	params := unzip(t, b.download("download"))

	der, err := os.ReadFile(filepath.Join(params, "WrappingPublicKey.bin"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	material := make([]byte, 32)
	rand.Read(material)
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	if err != nil {
		t.Fatal(err)
	}
	wrappedFile := filepath.Join(t.TempDir(), "wrapped.key")
	os.WriteFile(wrappedFile, wrapped, 0o600)

	time.Sleep(2500 * time.Millisecond)
	b.submit("to-upload", "upload-material")
	b.upload("material", wrappedFile)
	b.upload("token", filepath.Join(params, "ImportToken.bin"))
	b.click("expiration-none")
	b.submit("import", "import-expired")
	if a := b.alert(); !strings.Contains(a, "ExpiredImportTokenException") || !strings.Contains(a, "The import token expired at") {
		t.Errorf("alert %q", a)
	}
	var desc struct{ KeyMetadata struct{ KeyState string } }
	mustJSON(t, srv.aws(t, "kms", "describe-key", "--key-id", id), &desc)
	if desc.KeyMetadata.KeyState != "PendingImport" {
		t.Errorf("key state %s after an expired token", desc.KeyMetadata.KeyState)
	}
}

// TestChecksCatchDefects: the page checks themselves work: axe-core finds
// an unlabelled input and an image without alt text, and a style
// attribute the CSP blocks is reported.
func TestChecksCatchDefects(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	b := newTab(t, srv)
	b.open("/console/signin", "signin")
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("main").insertAdjacentHTML("beforeend",
		'<input id="unlabelled"><img src="/console/static/none.png"><p style="color: red">styled</p>')`))
	found := map[string]string{}
	for _, v := range axeViolations(t, b) {
		found[v.ID] = v.Impact
	}
	for _, id := range []string{"label", "image-alt"} {
		if imp := found[id]; imp != "critical" && imp != "serious" {
			t.Errorf("axe-core did not report %s as serious or critical (found %v)", id, found)
		}
	}
	var got []string
	for deadline := time.Now().Add(5 * time.Second); len(got) == 0 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		got = b.blocked()
	}
	if len(got) == 0 || !strings.Contains(got[0], "inline style") {
		t.Errorf("the CSP violation of a style attribute was not seen: %q", got)
	}
}
