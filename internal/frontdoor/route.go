package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
)

// Protocol is a route's codec: it names the operation of a request,
// decodes and runs it, and encodes answers and errors as its clients
// expect. Implementations must be safe for concurrent use.
type Protocol interface {
	// Operation sets x.Op (and x.Service, where the signing service
	// depends on the operation) from the request's headers and body. It
	// runs before authentication and must decode nothing else; its error
	// is answered as it is.
	Operation(x *Exchange) error
	// Call decodes and validates x.Body for x.Op and runs the operation
	// in the core. ctx carries x.Principal (package identity) on
	// authenticated routes.
	Call(ctx context.Context, x *Exchange) (any, error)
	// Encode returns the status and body of a successful answer.
	Encode(x *Exchange, out any) (status int, body []byte, err error)
	// EncodeError returns the wire form of err. Errors of no known kind
	// must come back with Known false and a fixed message, never err's
	// text: the pipeline logs their cause.
	EncodeError(x *Exchange, err error) WireError
	// Record returns the audit record of x, or nil for routes that are
	// not audited. It is called once the answer is encoded.
	Record(x *Exchange) *audit.Record
}

// WireError is an error as a protocol answers it.
type WireError struct {
	Code    string // the error code (AWS exception name)
	Message string
	Status  int
	Body    []byte
	Known   bool // false: an internal failure whose cause is only logged
}

// Authenticator decides who sent a request.
type Authenticator interface {
	// Authenticate verifies x (its headers, x.Body, x.Service) and returns
	// the principal who signed it. Its errors are answered through the
	// route's protocol.
	Authenticate(ctx context.Context, x *Exchange) (identity.Principal, error)
}

// Route is a row of the route table.
type Route struct {
	// Name identifies the route in logs ("kms", "iam", "probes", ...).
	Name string
	// Match selects the requests of the route; nil matches every request
	// (the table's fallback, which must be added last).
	Match func(*http.Request) bool
	// Protocol is the route's codec.
	Protocol Protocol
	// Auth authenticates the route's requests; Unauthenticated says so
	// explicitly. Required.
	Auth Authenticator
	// MaxBody bounds the request body; larger requests get ErrTooLarge.
	MaxBody int64
	// Timeout, if positive, bounds the handling of one request.
	Timeout time.Duration
	// Audit records every request of the route in the audit trail.
	Audit bool
	// Metrics counts the route's requests by operation and outcome.
	Metrics bool
}

// Table is a route table served by one pipeline. Add every route before
// serving; a Table is safe for concurrent use once serving.
type Table struct {
	p      *Pipeline
	routes []*Route
}

// NewTable returns an empty table whose routes run through p.
func NewTable(p *Pipeline) *Table { return &Table{p: p} }

// Add appends r to the table. Routes are tried in the order added.
func (t *Table) Add(r Route) error {
	switch {
	case r.Name == "":
		return errors.New("frontdoor: a route needs a name")
	case r.Protocol == nil:
		return fmt.Errorf("frontdoor: route %s has no protocol", r.Name)
	case r.Auth == nil:
		return fmt.Errorf("frontdoor: route %s has no authentication decision (use Unauthenticated to say there is none)", r.Name)
	case r.MaxBody < 0:
		return fmt.Errorf("frontdoor: route %s has a negative body limit", r.Name)
	}
	for _, old := range t.routes {
		if old.Match == nil {
			return fmt.Errorf("frontdoor: route %s follows the fallback route %s", r.Name, old.Name)
		}
	}
	t.routes = append(t.routes, &r)
	return nil
}

// ServeHTTP runs the pipeline for the first route matching r; a request no
// route matches gets 404.
func (t *Table) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, rt := range t.routes {
		if rt.Match == nil || rt.Match(r) {
			t.p.serve(rt, w, r)
			return
		}
	}
	http.NotFound(w, r)
}
