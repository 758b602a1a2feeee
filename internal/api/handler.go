// Package api is Trent's codec for the AWS KMS JSON 1.1 protocol: a
// frontdoor.Protocol that names the operation of a request, decodes and
// validates its input against the service model, calls the core and
// encodes the answer. Authentication, auditing and metrics are the front
// door's (package frontdoor); this package only speaks the protocol.
//
// # Protocol
//
// Every call is POST / with X-Amz-Target: TrentService.<Operation> and a
// JSON body of the operation's input shape (package wire). Answers are JSON
// of the output shape, or an empty body for operations with none. Errors are
// {"__type": "<Exception>", "message": "..."} with the status from the one
// table in errors.go. Every answer carries x-amzn-RequestId.
//
// # Order of checks
//
// Body size, then the operation name, then the signature, then JSON
// decoding and model validation, then the core's own rules — so an
// unauthenticated caller learns nothing about the validity of its input.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/sigv4"
)

// DefaultMaxBody bounds request bodies. The largest legal KMS input is a
// 128 KiB key policy; 1 MiB leaves room and stops abuse.
const DefaultMaxBody = 1 << 20

const targetPrefix = "TrentService."

const contentType = "application/x-amz-json-1.1"

// Config holds a Handler's dependencies.
type Config struct {
	KMS      *kms.Service
	Verifier *sigv4.Verifier      // SigV4 for the service "kms" in the server's region
	Keys     frontdoor.Principals // the principal of each access key
	MaxBody  int64                // DefaultMaxBody if zero
	// Logger, Audit and Observer serve ServeHTTP's pipeline only; the
	// server's one pipeline has its own.
	Logger   *slog.Logger // slog.Default() if nil
	Audit    frontdoor.Trail
	Observer frontdoor.Observer
}

// Handler is the KMS protocol. It is safe for concurrent use.
type Handler struct {
	cfg   Config
	ops   map[string]operation
	alone *frontdoor.Table // ServeHTTP's
}

var _ frontdoor.Protocol = (*Handler)(nil)

// operation handles one decoded, authenticated call. body is the raw JSON.
type operation func(ctx context.Context, body []byte) (any, error)

// New returns the KMS protocol serving cfg.KMS.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	h := &Handler{cfg: cfg}
	h.ops = h.operations()
	h.alone = frontdoor.NewTable(&frontdoor.Pipeline{Log: cfg.Logger, Trail: cfg.Audit, Observer: cfg.Observer})
	if err := h.alone.Add(h.Route()); err != nil {
		panic(err) // a programming error: Route is complete
	}
	return h
}

// Route returns the KMS API's row of the route table: POST / with a
// TrentService target, SigV4 for "kms", audited and counted. Match is nil
// (the fallback route): any request no other route takes is answered as
// KMS answers an unknown operation.
func (h *Handler) Route() frontdoor.Route {
	return frontdoor.Route{
		Name: "kms", Protocol: h, MaxBody: h.cfg.MaxBody, Audit: true, Metrics: true,
		Auth: &frontdoor.SigV4{Default: "kms", Keys: h.cfg.Keys,
			Verifiers: map[string][]*sigv4.Verifier{"kms": {h.cfg.Verifier}}},
	}
}

// ServeHTTP serves the KMS route alone through a pipeline of its own, for
// tests and benchmarks of this package; the server serves every route
// through one table.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.alone.ServeHTTP(w, r) }

// IsKMSRequest reports whether r is for the KMS protocol: it names a
// TrentService operation in X-Amz-Target.
func IsKMSRequest(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
}

// Operation implements frontdoor.Protocol.
func (h *Handler) Operation(x *frontdoor.Exchange) error {
	r := x.Request
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return errUnknownOperation
	}
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if !ok || h.ops[name] == nil {
		return errUnknownOperation
	}
	x.Op = name
	return nil
}

// Call implements frontdoor.Protocol.
func (h *Handler) Call(ctx context.Context, x *frontdoor.Exchange) (any, error) {
	ctx, trace := kms.WithTrace(kms.WithRequestID(ctx, x.ID))
	x.State = trace
	x.Sensitive = cryptoOps[x.Op]
	return h.ops[x.Op](ctx, x.Body)
}

// Encode implements frontdoor.Protocol.
func (h *Handler) Encode(x *frontdoor.Exchange, out any) (int, []byte, error) {
	x.Header.Set("Content-Type", contentType)
	if out == nil {
		return http.StatusOK, nil, nil
	}
	body, err := json.Marshal(out)
	if s, ok := out.(interface{ wipe() }); ok {
		s.wipe()
	}
	return http.StatusOK, body, err
}

// EncodeError implements frontdoor.Protocol.
func (h *Handler) EncodeError(x *frontdoor.Exchange, err error) frontdoor.WireError {
	we, known := toWire(err)
	x.Header.Set("Content-Type", contentType)
	x.Header.Set("X-Amzn-ErrorType", we.Type)
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{we.Type, we.Message})
	return frontdoor.WireError{Code: we.Type, Message: we.Message, Status: we.Status, Body: body, Known: known}
}

// secret wraps an output that carries plaintext so that Encode clears the
// plaintext once it is encoded.
type secret struct {
	out       any
	plaintext []byte
}

func (s secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.out) }
func (s secret) wipe()                        { clear(s.plaintext) }
