package console_test

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/server/servertest"
)

const (
	testAccount  = "111122223333"
	testRegion   = "us-east-1"
	rootPassword = "Root-Passw0rd!"
)

// harness is a real server on 127.0.0.1:0 with the account root's
// console password set.
type harness servertest.Server

// newHarness starts a server; adjust cfg before it starts with opts.
func newHarness(t *testing.T, opts ...func(*server.Config)) *harness {
	t.Helper()
	dir := t.TempDir()
	servertest.SetConsolePassword(t, dir, "", "", rootPassword)
	cfg := server.Config{
		DataDir: dir, AccountID: testAccount, Region: testRegion, SweepInterval: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	return (*harness)(servertest.Start(t, cfg))
}

// aws runs the AWS CLI against the server as the root and returns its
// standard output; it fails the test if the command fails.
func (h *harness) aws(t *testing.T, args ...string) string {
	t.Helper()
	return h.awsAs(t, h.KeyID, h.Secret, args...)
}

// awsAs runs the AWS CLI with the access key id/secret.
func (h *harness) awsAs(t *testing.T, id, secret string, args ...string) string {
	t.Helper()
	out, err := h.awsTry(t, id, secret, args...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// awsTry runs the AWS CLI and returns its combined output and error.
func (h *harness) awsTry(t *testing.T, id, secret string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI is missing (scripts/setup-test-deps.sh installs it)")
		}
		t.Skip("the AWS CLI is not installed")
	}
	cmd := exec.Command("aws", append([]string{"--endpoint-url", h.URL, "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_DEFAULT_REGION="+testRegion, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// browser is an HTTP client with a cookie jar, as a browser signed in to
// the console; it follows redirects.
type browser struct {
	h    *harness
	c    *http.Client
	csrf string // the CSRF token of the last page that had a form
}

// page is an answer as the browser saw it.
type page struct {
	Status int
	HTML   string
	URL    string // after redirects
}

func (h *harness) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{h: h, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(t *testing.T, req *http.Request) page {
	t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return page{Status: resp.StatusCode, HTML: string(body), URL: resp.Request.URL.Path}
}

// get fetches a console path.
func (b *browser) get(t *testing.T, path string) page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.h.URL+path, nil)
	return b.do(t, req)
}

// postForm posts vals to path with the last page's CSRF token added
// (unless vals has one).
func (b *browser) postForm(t *testing.T, path string, vals url.Values) page {
	t.Helper()
	if vals == nil {
		vals = url.Values{}
	}
	if _, ok := vals["csrf"]; !ok {
		vals.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.h.URL+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(t, req)
}

// postMultipart posts fields and files (form name → content) as
// multipart/form-data, with the CSRF token added.
func (b *browser) postMultipart(t *testing.T, path string, fields map[string]string, files map[string][]byte) page {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if _, ok := fields["csrf"]; !ok {
		mw.WriteField("csrf", b.csrf)
	}
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for k, v := range files {
		fw, _ := mw.CreateFormFile(k, k+".bin")
		fw.Write(v)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.h.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(t, req)
}

// signIn signs in as userName ("" the root) with password and fails the
// test unless the console's home (or next page) is reached.
func (h *harness) signIn(t *testing.T, userName, password string) *browser {
	t.Helper()
	b := h.browser()
	b.get(t, "/console/signin")
	as := "iam"
	if userName == "" {
		as = "root"
	}
	p := b.postForm(t, "/console/signin", url.Values{"as": {as}, "account": {testAccount}, "username": {userName}, "password": {password}})
	if p.Status != http.StatusOK || strings.HasPrefix(p.URL, "/console/signin") {
		t.Fatalf("sign-in as %q: status %d at %s\n%s", userName, p.Status, p.URL, p.HTML)
	}
	return b
}

// signInRoot signs in as the account root.
func (h *harness) signInRoot(t *testing.T) *browser { return h.signIn(t, "", rootPassword) }
