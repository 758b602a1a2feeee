package frontdoor

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
)

// echo is a protocol that answers the body back and records what the
// pipeline did with it.
type echo struct {
	mu        sync.Mutex
	called    int
	gotCtx    context.Context
	callErr   error
	sensitive bool   // Call marks the exchange Sensitive
	body      []byte // the request body Record saw
}

var errBadAuth = errors.New("bad signature")

func (e *echo) Operation(x *Exchange) error {
	x.Op = strings.TrimPrefix(x.Request.URL.Path, "/")
	if x.Op == "unknown" {
		return errors.New("unknown op")
	}
	return nil
}

func (e *echo) Call(ctx context.Context, x *Exchange) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.called++
	e.gotCtx = ctx
	x.Sensitive = e.sensitive
	return string(x.Body), e.callErr
}

func (e *echo) Encode(x *Exchange, out any) (int, []byte, error) {
	return http.StatusOK, []byte(out.(string)), nil
}

func (e *echo) EncodeError(x *Exchange, err error) WireError {
	code := "Internal"
	switch {
	case errors.Is(err, errBadAuth):
		code = "BadAuth"
	case errors.Is(err, ErrTooLarge):
		code = "TooLarge"
	case errors.Is(err, ErrAuditUnavailable):
		code = "AuditUnavailable"
	case errors.Is(err, context.DeadlineExceeded):
		code = "Timeout"
	}
	return WireError{Code: code, Status: 400, Body: []byte(code), Known: code != "Internal"}
}

func (e *echo) Record(x *Exchange) *audit.Record {
	e.body = x.Body
	return &audit.Record{EventName: x.Op, ErrorCode: x.Outcome}
}

// keyAuth accepts requests with the header "Key: good".
type keyAuth struct{}

func (keyAuth) Authenticate(_ context.Context, x *Exchange) (identity.Principal, error) {
	if x.Request.Header.Get("Key") != "good" {
		return identity.Principal{}, errBadAuth
	}
	return identity.Principal{Kind: identity.KindUser, ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice"}, nil
}

// trail is an in-memory audit trail that can be made to fail.
type trail struct {
	mu      sync.Mutex
	records []*audit.Record
	broken  error
}

func (t *trail) Write(r *audit.Record) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.broken != nil {
		return t.broken
	}
	t.records = append(t.records, r)
	return nil
}

func (t *trail) Healthy() error { t.mu.Lock(); defer t.mu.Unlock(); return t.broken }

type observer struct {
	mu          sync.Mutex
	ops         []string
	auditFailed int
}

func (o *observer) ObserveRequest(op, outcome string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ops = append(o.ops, op+"="+outcome)
}

func (o *observer) AuditFailed() { o.mu.Lock(); o.auditFailed++; o.mu.Unlock() }

type fixture struct {
	proto *echo
	trail *trail
	obs   *observer
	table *Table
}

func newFixture(t *testing.T, serveUnaudited bool, route Route) *fixture {
	f := &fixture{proto: &echo{}, trail: &trail{}, obs: &observer{}}
	p := &Pipeline{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Trail: f.trail, Observer: f.obs, ServeUnaudited: serveUnaudited}
	f.table = NewTable(p)
	route.Protocol = f.proto
	if route.Name == "" {
		route.Name = "echo"
	}
	if route.Auth == nil {
		route.Auth = keyAuth{}
	}
	if err := f.table.Add(route); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) do(path, key, body string) (int, string) {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if key != "" {
		r.Header.Set("Key", key)
	}
	w := httptest.NewRecorder()
	f.table.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// TestSensitiveBodiesCleared: a request the protocol marks Sensitive (its
// body may hold plaintext) has its body wiped once answered and recorded;
// other bodies are left alone.
func TestSensitiveBodiesCleared(t *testing.T) {
	for _, sensitive := range []bool{false, true} {
		f := newFixture(t, false, Route{Audit: true, MaxBody: 64})
		f.proto.sensitive = sensitive
		if code, body := f.do("/Encrypt", "good", "plaintext"); code != 200 || body != "plaintext" {
			t.Fatalf("answer %d %q", code, body)
		}
		if cleared := string(f.proto.body) == "\x00\x00\x00\x00\x00\x00\x00\x00\x00"; cleared != sensitive {
			t.Errorf("sensitive %v: request body afterwards %q", sensitive, f.proto.body)
		}
	}
}
