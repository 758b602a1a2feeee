package iamapi

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

const (
	testAccount = "111122223333"
	testRegion  = "eu-west-1" // not us-east-1, to tell IAM's region from the server's
	rootID      = "AKIAROOTTEST00000001"
	rootSecret  = "root-secret-for-tests-only"
)

// fixture is a Handler on a fresh sqlite store with a known root key.
type fixture struct {
	h         *Handler
	keys      *accesskey.Keyring
	trail     *audit.Log
	auditPath string
	changed   []string // OnUserChange calls
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rk, err := rootkey.OpenSoftware(filepath.Join(dir, "root.key"))
	if err != nil {
		t.Fatal(err)
	}
	keys := accesskey.New(st, rk, testAccount)
	if _, err := keys.Bootstrap(context.Background(), dir, rootID, rootSecret, time.Now()); err != nil {
		t.Fatal(err)
	}
	f := &fixture{keys: keys, auditPath: filepath.Join(dir, "audit.log")}
	if f.trail, err = audit.Open(f.auditPath); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.trail.Close() })
	f.h = New(Config{
		Store: st, Keys: keys, AccountID: testAccount, Region: testRegion, Audit: f.trail,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnUserChange: func(name string) { f.changed = append(f.changed, name) },
	})
	return f
}

// creds are an access key to sign with.
type creds struct{ id, secret string }

var root = creds{rootID, rootSecret}

// answer is a decoded response: the status, the raw body, and the error
// code and message of an ErrorResponse.
type answer struct {
	status        int
	body          string
	code, message string
}

// call sends form as a Query request signed by c for service in region.
func (f *fixture) call(t *testing.T, c creds, service, region string, form url.Values) answer {
	t.Helper()
	body := form.Encode()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if c.id != "" {
		sigv4.Sign(r, []byte(body), c.id, []byte(c.secret), region, service, time.Now())
	}
	return f.serve(t, r)
}

func (f *fixture) serve(t *testing.T, r *http.Request) answer {
	t.Helper()
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	a := answer{status: w.Code, body: w.Body.String()}
	if w.Code != http.StatusOK {
		var e errorResponse
		if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
			t.Fatalf("error body %q: %v", a.body, err)
		}
		a.code, a.message = e.Code, e.Message
	}
	if w.Header().Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
	return a
}

// iam calls an IAM action, signed by c for us-east-1.
func (f *fixture) iam(t *testing.T, c creds, action string, kv ...string) answer {
	t.Helper()
	form := url.Values{"Action": {action}, "Version": {iamVersion}}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	return f.call(t, c, "iam", globalRegion, form)
}

// must fails t unless a is a success.
func must(t *testing.T, a answer) answer {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	return a
}

// wantError fails t unless a is the error code with HTTP status.
func wantError(t *testing.T, a answer, status int, code, msgPart string) {
	t.Helper()
	if a.status != status || a.code != code || !strings.Contains(a.message, msgPart) {
		t.Errorf("got %d %s %q, want %d %s containing %q", a.status, a.code, a.message, status, code, msgPart)
	}
}

// newUser creates a user with an access key and returns the key.
func (f *fixture) newUser(t *testing.T, name string) creds {
	t.Helper()
	must(t, f.iam(t, root, "CreateUser", "UserName", name))
	a := must(t, f.iam(t, root, "CreateAccessKey", "UserName", name))
	var out struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal([]byte(a.body), &out); err != nil || out.ID == "" || out.Secret == "" {
		t.Fatalf("CreateAccessKey answer %s: %v", a.body, err)
	}
	return creds{out.ID, out.Secret}
}
