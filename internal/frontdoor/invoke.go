package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
)

// Invocation is one in-process call of a route's operation on behalf of a
// principal already authenticated by other means: the web console's
// session. It is shaped as the request the route's clients send, so that
// the operation is named, decoded, authorized, audited and counted exactly
// as the same call over the wire.
type Invocation struct {
	// Route is the name of the route that serves the call ("kms", "iam").
	Route string
	// Request is the request as the route's protocol expects it (method,
	// path, protocol headers); its body is ignored in favour of Body. Its
	// RemoteAddr, User-Agent and TLS state should be the originating
	// browser request's, for the audit record and for policy conditions
	// (aws:SourceIp, aws:SecureTransport).
	Request *http.Request
	Body    []byte
	// Principal is who makes the call. It must be authenticated.
	Principal identity.Principal
}

// Result is what an Invocation came to.
type Result struct {
	// RequestID is the call's request ID, as audited.
	RequestID string
	// Body is the answer's wire encoding, as the route's clients get it;
	// nil when the call failed.
	Body []byte
}

// CallError is a refused or failed Invocation: the error as the route's
// clients would have been answered.
type CallError struct{ WireError }

func (e *CallError) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// ErrNoRoute: an Invocation named a route the table does not have.
var ErrNoRoute = errors.New("frontdoor: no such route")

// Invoke runs inv through the pipeline's steps 2 to 8, with inv.Principal
// in place of step 4. A refusal of the protocol or the core (including
// audit unavailability) is a *CallError; ErrNoRoute and an unauthenticated
// principal are programming errors returned as they are. Invoke is safe
// for concurrent use.
func (t *Table) Invoke(ctx context.Context, inv Invocation) (Result, error) {
	var rt *Route
	for _, r := range t.routes {
		if r.Name == inv.Route {
			rt = r
			break
		}
	}
	if rt == nil {
		return Result{}, fmt.Errorf("%w: %q", ErrNoRoute, inv.Route)
	}
	if !inv.Principal.Authenticated() {
		return Result{}, errors.New("frontdoor: Invoke needs an authenticated principal")
	}
	start := time.Now()
	x := &Exchange{ID: uuid.NewString(), Route: rt, Request: inv.Request.WithContext(ctx), Header: http.Header{}, Body: inv.Body}
	out, err := t.p.invoke(ctx, rt, x, inv.Principal)
	status, body := t.p.finish(rt, x, out, err)
	t.p.observe(rt, x, start)
	if x.Failed() {
		we := WireError{Code: x.Outcome, Message: x.ErrorMessage, Status: status, Body: body}
		return Result{RequestID: x.ID}, &CallError{we}
	}
	return Result{RequestID: x.ID, Body: body}, nil
}

// invoke is run's counterpart for an Invocation: no body to read and no
// signature to check.
func (p *Pipeline) invoke(ctx context.Context, rt *Route, x *Exchange, pr identity.Principal) (any, error) {
	if err := rt.Protocol.Operation(x); err != nil {
		return nil, err
	}
	if err := p.auditable(rt, x); err != nil {
		return nil, err
	}
	ctx, cancel := withTimeout(ctx, rt.Timeout)
	defer cancel()
	x.Principal = &pr
	r := x.Request
	ctx = identity.WithCaller(ctx, pr, identity.Call{SourceIP: audit.SourceIP(r), SecureTransport: r.TLS != nil})
	return rt.Protocol.Call(ctx, x)
}
