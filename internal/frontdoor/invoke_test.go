package frontdoor

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/trent-kms/trent/internal/identity"
)

var alice = identity.Principal{Kind: identity.KindUser, ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice"}

func invocation(path, body string) Invocation {
	return Invocation{Route: "echo", Request: httptest.NewRequest(http.MethodPost, path, nil), Body: []byte(body), Principal: alice}
}

func TestInvokeRunsTheRouteSteps(t *testing.T) {
	f := newFixture(t, false, Route{Audit: true, Metrics: true})
	res, err := f.table.Invoke(context.Background(), invocation("/Hello", "hi"))
	if err != nil || string(res.Body) != "hi" || res.RequestID == "" {
		t.Fatalf("Invoke = %+v, %v", res, err)
	}
	p, ok := identity.From(f.proto.gotCtx)
	if !ok || p.ARN != alice.ARN {
		t.Errorf("the call ran as %+v, %v; want alice", p, ok)
	}
	if len(f.trail.records) != 1 || f.trail.records[0].EventName != "Hello" {
		t.Errorf("audit records = %+v, want one for Hello", f.trail.records)
	}
	if len(f.obs.ops) != 1 || f.obs.ops[0] != "Hello=ok" {
		t.Errorf("metrics = %v, want [Hello=ok]", f.obs.ops)
	}
}

func TestInvokeRefusals(t *testing.T) {
	t.Run("core error", func(t *testing.T) {
		f := newFixture(t, false, Route{Audit: true})
		f.proto.callErr = errBadAuth
		_, err := f.table.Invoke(context.Background(), invocation("/Hello", "hi"))
		var ce *CallError
		if !errors.As(err, &ce) || ce.Code != "BadAuth" || ce.Status != 400 {
			t.Fatalf("err = %v, want a BadAuth CallError", err)
		}
		if len(f.trail.records) != 1 || f.trail.records[0].ErrorCode != "BadAuth" {
			t.Errorf("the refusal is not audited: %+v", f.trail.records)
		}
	})
	t.Run("audit unavailable", func(t *testing.T) {
		f := newFixture(t, false, Route{Audit: true})
		f.trail.broken = errors.New("disk full")
		_, err := f.table.Invoke(context.Background(), invocation("/Hello", "hi"))
		var ce *CallError
		if !errors.As(err, &ce) || ce.Code != "AuditUnavailable" || f.proto.called != 0 {
			t.Fatalf("err = %v, called %d; want AuditUnavailable before the core", err, f.proto.called)
		}
	})
	t.Run("no such route", func(t *testing.T) {
		f := newFixture(t, false, Route{})
		inv := invocation("/Hello", "")
		inv.Route = "other"
		if _, err := f.table.Invoke(context.Background(), inv); !errors.Is(err, ErrNoRoute) {
			t.Fatalf("err = %v, want ErrNoRoute", err)
		}
	})
	t.Run("nobody", func(t *testing.T) {
		f := newFixture(t, false, Route{})
		inv := invocation("/Hello", "")
		inv.Principal = identity.Principal{}
		if _, err := f.table.Invoke(context.Background(), inv); err == nil || f.proto.called != 0 {
			t.Fatalf("an unauthenticated Invoke ran: %v", err)
		}
	})
}
