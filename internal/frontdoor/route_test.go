package frontdoor

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
)

func TestAddRefusesIncompleteRoutes(t *testing.T) {
	p := &Pipeline{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	tests := []struct {
		name  string
		route Route
		want  string
	}{
		{"no authentication decision", Route{Name: "x", Protocol: &echo{}}, "no authentication decision"},
		{"no protocol", Route{Name: "x", Auth: Unauthenticated}, "no protocol"},
		{"no name", Route{Protocol: &echo{}, Auth: Unauthenticated}, "needs a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := NewTable(p).Add(tt.route)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Add = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	t.Run("after the fallback", func(t *testing.T) {
		tb := NewTable(p)
		if err := tb.Add(Route{Name: "fallback", Protocol: &echo{}, Auth: Unauthenticated}); err != nil {
			t.Fatal(err)
		}
		if err := tb.Add(Route{Name: "late", Match: func(*http.Request) bool { return true }, Protocol: &echo{}, Auth: Unauthenticated}); err == nil {
			t.Fatal("a route after the fallback was accepted: it could never match")
		}
	})
}

func TestPipelineAuthenticatesBeforeCalling(t *testing.T) {
	f := newFixture(t, false, Route{MaxBody: 100, Audit: true, Metrics: true})
	if status, body := f.do("/Op", "bad", "hello"); status != 400 || body != "BadAuth" {
		t.Fatalf("bad key: %d %q", status, body)
	}
	if f.proto.called != 0 {
		t.Fatal("the protocol's Call ran for an unauthenticated request")
	}
	if status, body := f.do("/Op", "good", "hello"); status != 200 || body != "hello" {
		t.Fatalf("good key: %d %q", status, body)
	}
	p, ok := identity.From(f.proto.gotCtx)
	if !ok || p.UserName != "alice" {
		t.Fatalf("principal in the call's context = %+v, %v", p, ok)
	}
	if got := len(f.trail.records); got != 2 {
		t.Fatalf("%d audit records, want 2 (refused and served)", got)
	}
	if f.trail.records[0].ErrorCode != "BadAuth" || f.trail.records[1].ErrorCode != "ok" {
		t.Errorf("records = %+v, %+v", f.trail.records[0], f.trail.records[1])
	}
	if want := []string{"Op=BadAuth", "Op=ok"}; strings.Join(f.obs.ops, ",") != strings.Join(want, ",") {
		t.Errorf("observed %v, want %v", f.obs.ops, want)
	}
}

func TestPipelineUnauthenticatedRouteCarriesNoPrincipal(t *testing.T) {
	f := newFixture(t, false, Route{MaxBody: 100, Auth: Unauthenticated})
	if status, _ := f.do("/Op", "", "x"); status != 200 {
		t.Fatalf("status %d", status)
	}
	if _, ok := identity.From(f.proto.gotCtx); ok {
		t.Fatal("an unauthenticated route's call carries a principal")
	}
	if len(f.trail.records) != 0 || len(f.obs.ops) != 0 {
		t.Error("a route without Audit and Metrics was audited or counted")
	}
}

func TestPipelineBodyLimit(t *testing.T) {
	f := newFixture(t, false, Route{MaxBody: 4})
	if status, body := f.do("/Op", "good", "12345"); body != "TooLarge" {
		t.Fatalf("5 bytes over a limit of 4: %d %q", status, body)
	}
	if status, body := f.do("/Op", "good", "1234"); status != 200 || body != "1234" {
		t.Fatalf("4 bytes: %d %q", status, body)
	}
}

func TestPipelineTimeout(t *testing.T) {
	f := newFixture(t, false, Route{MaxBody: 10, Timeout: time.Millisecond})
	f.do("/Op", "good", "x")
	deadline, ok := f.proto.gotCtx.Deadline()
	if !ok || time.Until(deadline) > time.Millisecond {
		t.Fatalf("the call's context has no deadline of the route's timeout (%v, %v)", deadline, ok)
	}
}

func TestPipelineRefusesWhatCannotBeAudited(t *testing.T) {
	t.Run("trail down before the call", func(t *testing.T) {
		f := newFixture(t, false, Route{MaxBody: 10, Audit: true, Metrics: true})
		f.trail.broken = errors.New("no space left on device")
		if status, body := f.do("/Op", "good", "x"); body != "AuditUnavailable" {
			t.Fatalf("%d %q", status, body)
		}
		if f.proto.called != 0 {
			t.Fatal("a request that could not be audited was served")
		}
	})
	t.Run("record fails after the call", func(t *testing.T) {
		f := newFixture(t, false, Route{MaxBody: 10, Audit: true, Metrics: true})
		f.proto.callErr = nil
		brokenAfterCall := &breakingTrail{trail: f.trail}
		f.table.p.Trail = brokenAfterCall
		if status, body := f.do("/Op", "good", "secret"); body != "AuditUnavailable" {
			t.Fatalf("%d %q: the answer left without its record", status, body)
		}
		if f.obs.auditFailed != 1 {
			t.Errorf("audit failures counted: %d, want 1", f.obs.auditFailed)
		}
	})
	t.Run("operator chose availability", func(t *testing.T) {
		f := newFixture(t, true, Route{MaxBody: 10, Audit: true, Metrics: true})
		f.trail.broken = errors.New("no space left on device")
		if status, body := f.do("/Op", "good", "x"); status != 200 || body != "x" {
			t.Fatalf("%d %q", status, body)
		}
		if f.obs.auditFailed != 1 {
			t.Errorf("audit failures counted: %d, want 1", f.obs.auditFailed)
		}
	})
}

// breakingTrail is healthy until a record is written, which fails.
type breakingTrail struct{ trail *trail }

func (b *breakingTrail) Write(*audit.Record) error { return errors.New("disk full") }
func (b *breakingTrail) Healthy() error            { return nil }

func TestUnauthenticatedGivesNobody(t *testing.T) {
	p, err := Unauthenticated.Authenticate(context.Background(), &Exchange{})
	if err != nil || p.Authenticated() || p.IsRoot() {
		t.Fatalf("Unauthenticated gave %+v, %v", p, err)
	}
}
