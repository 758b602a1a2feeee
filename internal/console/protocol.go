package console

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/frontdoor"
)

// protocol is the console as a frontdoor.Protocol: Call runs the page mux
// over the request the pipeline read, into a buffered answer.
type protocol Console

// state is the console's per-request state: the session the cookie named
// (nil if none) and the audit record a page asked for (sign-in).
type state struct {
	sess   *session
	record *audit.Record
	reqID  string
}

type stateKey struct{}

func stateOf(r *http.Request) *state {
	if st, ok := r.Context().Value(stateKey{}).(*state); ok {
		return st
	}
	return &state{}
}

// answer is a page's buffered answer.
type answer struct {
	status int
	body   bytes.Buffer
	header http.Header
}

func (a *answer) Header() http.Header { return a.header }
func (a *answer) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(b)
}
func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

// Operation implements frontdoor.Protocol: the method and path name a
// console request in logs.
func (p *protocol) Operation(x *frontdoor.Exchange) error {
	x.Op = x.Request.Method + " " + x.Request.URL.Path
	if x.State == nil {
		x.State = &state{}
	}
	return nil
}

// Call implements frontdoor.Protocol.
func (p *protocol) Call(ctx context.Context, x *frontdoor.Exchange) (any, error) {
	st, _ := x.State.(*state)
	if st == nil {
		st = &state{}
		x.State = st
	}
	st.reqID = x.ID
	r := x.Request.Clone(context.WithValue(ctx, stateKey{}, st))
	r.Body = io.NopCloser(bytes.NewReader(x.Body))
	r.ContentLength = int64(len(x.Body))
	a := &answer{header: x.Header}
	securityHeaders(a.header)
	(*Console)(p).mux.ServeHTTP(a, r)
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a, nil
}

// Encode implements frontdoor.Protocol.
func (p *protocol) Encode(_ *frontdoor.Exchange, out any) (int, []byte, error) {
	a := out.(*answer)
	return a.status, a.body.Bytes(), nil
}

// EncodeError implements frontdoor.Protocol: the pipeline's own failures
// (body too large, audit trail down) as a plain page.
func (p *protocol) EncodeError(x *frontdoor.Exchange, err error) frontdoor.WireError {
	securityHeaders(x.Header)
	x.Header.Set("Content-Type", "text/plain; charset=utf-8")
	we := frontdoor.WireError{Code: "InternalError", Status: http.StatusInternalServerError,
		Message: "The console could not answer this request."}
	switch err {
	case frontdoor.ErrTooLarge:
		we = frontdoor.WireError{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge, Message: "The request is too large.", Known: true}
	case frontdoor.ErrAuditUnavailable:
		we = frontdoor.WireError{Code: "ServiceUnavailable", Status: http.StatusServiceUnavailable,
			Message: "The audit trail cannot record requests; the console is unavailable.", Known: true}
	case frontdoor.ErrUnreadable:
		we = frontdoor.WireError{Code: "BadRequest", Status: http.StatusBadRequest, Message: "The request could not be read.", Known: true}
	}
	we.Body = []byte(we.Message + "\n")
	return we
}

// Record implements frontdoor.Protocol: only the events a page asked to
// record (ConsoleLogin); the API calls a page makes are audited
// by their own routes.
func (p *protocol) Record(x *frontdoor.Exchange) *audit.Record {
	if st, ok := x.State.(*state); ok {
		return st.record
	}
	return nil
}

// securityHeaders sets the headers every console answer carries.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}
