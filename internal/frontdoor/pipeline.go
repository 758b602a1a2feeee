package frontdoor

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
)

// Framework errors: failures of the pipeline itself, which every protocol
// maps to its own error (e.g. KMS's RequestEntityTooLargeException).
var (
	// ErrTooLarge: the body exceeds the route's MaxBody.
	ErrTooLarge = errors.New("frontdoor: request body too large")
	// ErrUnreadable: the body could not be read.
	ErrUnreadable = errors.New("frontdoor: request body unreadable")
	// ErrAuditUnavailable: the audit trail cannot record the request, and
	// the operator chose not to serve unaudited requests.
	ErrAuditUnavailable = errors.New("frontdoor: the audit trail cannot record requests")
)

// requestIDHeader is x-amzn-RequestId in Go's canonical header form.
const requestIDHeader = "X-Amzn-Requestid"

// Trail is the audit trail as the pipeline uses it (package audit's Log).
type Trail interface {
	// Write records r before returning nil.
	Write(r *audit.Record) error
	// Healthy reports whether the last record could be written.
	Healthy() error
}

// Observer is told of every answered request of a route with Metrics.
type Observer interface {
	// ObserveRequest must be quick: it is on every request's path.
	ObserveRequest(operation, outcome string, elapsed time.Duration)
	// AuditFailed counts a record that could not be written.
	AuditFailed()
}

// Pipeline runs requests through the steps of the package doc.
type Pipeline struct {
	Log      *slog.Logger
	Trail    Trail    // nil: nothing is audited
	Observer Observer // nil: nothing is counted
	// ServeUnaudited serves requests even when the trail cannot record
	// them (the operator's choice of availability over a complete trail).
	ServeUnaudited bool
}

// serve runs rt's pipeline for one request.
func (p *Pipeline) serve(rt *Route, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	x := &Exchange{ID: uuid.NewString(), Route: rt, Request: r, Header: w.Header()}
	// Set directly under the canonical key: Header.Set would canonicalise
	// "x-amzn-RequestId" (an allocation) on every request.
	x.Header[requestIDHeader] = []string{x.ID}
	out, err := p.run(rt, x)
	status, body := p.finish(rt, x, out, err)
	w.WriteHeader(status)
	w.Write(body)
	clearIf(x.Sensitive, body)
	clearIf(x.Sensitive, x.Body)
	p.observe(rt, x, start)
}

// finish encodes the outcome and records it (steps 6 and 7), and returns
// the answer to send: ErrAuditUnavailable's instead if the record could
// not be written and the operator did not choose to serve unaudited.
func (p *Pipeline) finish(rt *Route, x *Exchange, out any, err error) (int, []byte) {
	status, body := p.encode(rt, x, out, err)
	if rt.Audit && p.Trail != nil {
		if aerr := p.record(rt, x); aerr != nil && !p.ServeUnaudited {
			clearIf(x.Sensitive, body)
			clearIf(x.Sensitive, x.Body)
			x.Sensitive = false
			status, body = p.encode(rt, x, nil, ErrAuditUnavailable)
		}
	}
	return status, body
}

// observe counts x (step 8).
func (p *Pipeline) observe(rt *Route, x *Exchange, start time.Time) {
	if rt.Metrics && p.Observer != nil {
		p.Observer.ObserveRequest(x.Op, x.Outcome, time.Since(start))
	}
}

// run takes x from its bytes to the core's answer: steps 1 to 5.
func (p *Pipeline) run(rt *Route, x *Exchange) (any, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, x.Request.Body, rt.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, ErrTooLarge
		}
		return nil, ErrUnreadable
	}
	x.Body = body
	if err := rt.Protocol.Operation(x); err != nil {
		return nil, err
	}
	if err := p.auditable(rt, x); err != nil {
		return nil, err
	}
	ctx, cancel := withTimeout(x.Request.Context(), rt.Timeout)
	defer cancel()
	pr, err := rt.Auth.Authenticate(ctx, x)
	if err != nil {
		return nil, err
	}
	if pr.Authenticated() {
		x.Principal = &pr
	} else {
		pr = identity.Principal{} // nobody: the core refuses it
	}
	ctx = identity.WithCaller(ctx, pr, identity.Call{SourceIP: audit.SourceIP(x.Request), SecureTransport: x.Request.TLS != nil})
	return rt.Protocol.Call(ctx, x)
}

// auditable refuses x when its route is audited and the trail cannot
// record it (step 3), unless the operator chose to serve unaudited.
func (p *Pipeline) auditable(rt *Route, x *Exchange) error {
	if rt.Audit && p.Trail != nil && !p.ServeUnaudited {
		if err := p.Trail.Healthy(); err != nil {
			p.Log.Error("AUDIT TRAIL UNAVAILABLE: refusing a request that cannot be recorded", "request_id", x.ID, "err", err)
			return ErrAuditUnavailable
		}
	}
	return nil
}

// withTimeout bounds ctx by d if d is positive.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return ctx, func() {}
}

// encode turns the outcome into the answer: step 6.
func (p *Pipeline) encode(rt *Route, x *Exchange, out any, err error) (int, []byte) {
	if err == nil {
		status, body, eerr := rt.Protocol.Encode(x, out)
		if eerr == nil {
			x.Outcome, x.Response = "ok", body
			return status, body
		}
		err = eerr
	}
	we := rt.Protocol.EncodeError(x, err)
	x.Outcome, x.ErrorMessage, x.Response = we.Code, we.Message, nil
	if !we.Known {
		p.Log.Error("internal error", "request_id", x.ID, "route", rt.Name, "operation", x.Op, "err", err)
	} else if p.Log.Enabled(x.Request.Context(), slog.LevelDebug) {
		p.Log.Debug("request refused", "request_id", x.ID, "route", rt.Name, "operation", x.Op, "code", we.Code)
	}
	return we.Status, we.Body
}

// record writes x's audit record: step 7.
func (p *Pipeline) record(rt *Route, x *Exchange) error {
	rec := rt.Protocol.Record(x)
	if rec == nil {
		return nil
	}
	err := p.Trail.Write(rec)
	if err != nil {
		p.Log.Error("AUDIT LOG WRITE FAILED: a request is not recorded", "request_id", x.ID, "operation", x.Op, "err", err)
		if p.Observer != nil {
			p.Observer.AuditFailed()
		}
	}
	return err
}

func clearIf(cond bool, b []byte) {
	if cond {
		clear(b)
	}
}
