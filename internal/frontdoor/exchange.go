package frontdoor

import (
	"net/http"

	"github.com/trent-kms/trent/internal/identity"
)

// Exchange is one request on its way through the pipeline: what each step
// learned, for the steps after it and for the audit record. A Protocol may
// set Op, Service, State and Sensitive; the pipeline sets the rest.
type Exchange struct {
	// ID is the request ID answered in x-amzn-RequestId and audited.
	ID      string
	Route   *Route
	Request *http.Request
	// Header is the answer's header (the ResponseWriter's), for the
	// protocol to set its content type and error headers.
	Header http.Header
	// Body is the whole request body, once read.
	Body []byte

	// Op is the operation the request names ("" until known).
	Op string
	// Service is the SigV4 signing name the operation belongs to, when a
	// route's protocol serves several (IAM and STS); "" means the
	// authenticator's first.
	Service string
	// State is the protocol's own per-request data (e.g. the keys a KMS
	// call touched), for its Record.
	State any
	// Sensitive marks an answer that may hold plaintext: the pipeline
	// clears the encoded body once written, and Record must not copy it.
	Sensitive bool

	// Principal is the authenticated caller; nil until authenticated, and
	// for routes without authentication.
	Principal *identity.Principal
	// Response is the encoded answer of a successful call.
	Response []byte
	// Outcome is what the request came to: "ok" or the error code answered.
	Outcome string
	// ErrorMessage is the message answered with the error, if any.
	ErrorMessage string
}

// Failed reports whether the request was answered with an error.
func (x *Exchange) Failed() bool { return x.Outcome != "" && x.Outcome != "ok" }
