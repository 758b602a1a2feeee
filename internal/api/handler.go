// Package api is Trent's HTTP front end for the AWS KMS JSON 1.1 protocol:
// it decodes a request, authenticates it with SigV4, validates it against
// the service model, calls the core and encodes the answer.
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
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/sigv4"
)

// DefaultMaxBody bounds request bodies. The largest legal KMS input is a
// 128 KiB key policy; 1 MiB leaves room and stops abuse.
const DefaultMaxBody = 1 << 20

const targetPrefix = "TrentService."

// Config holds a Handler's dependencies.
type Config struct {
	KMS      *kms.Service
	Verifier *sigv4.Verifier
	Keys     *accesskey.Keyring
	Logger   *slog.Logger // slog.Default() if nil
	MaxBody  int64        // DefaultMaxBody if zero
	Audit    *audit.Log   // every request is recorded here, if set
	Observer Observer     // told of every request's outcome and latency, if set
}

// Handler serves the KMS API. It is safe for concurrent use.
type Handler struct {
	cfg Config
	ops map[string]operation
}

// operation handles one decoded, authenticated call. body is the raw JSON.
type operation func(ctx context.Context, body []byte) (any, error)

// New returns a Handler.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	h := &Handler{cfg: cfg}
	h.ops = h.operations()
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c := &call{reqID: uuid.NewString()}
	defer h.observe(c, start)
	defer h.record(r, c)
	w.Header().Set("x-amzn-RequestId", c.reqID)
	out, err := h.serve(r, c)
	var body []byte
	if err == nil && out != nil {
		body, err = json.Marshal(out)
		if s, ok := out.(interface{ wipe() }); ok {
			s.wipe()
		}
	}
	if err != nil {
		h.writeError(w, r, c, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if out == nil {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		c.response = []byte("{}")
		return
	}
	w.Write(body)
	if !cryptoOps[c.op] {
		c.response = body
	} else {
		clear(body) // it may hold plaintext in base64
	}
}

// secret wraps an output that carries plaintext so that ServeHTTP clears
// the plaintext once it is encoded.
type secret struct {
	out       any
	plaintext []byte
}

func (s secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.out) }
func (s secret) wipe()                        { clear(s.plaintext) }

func (h *Handler) serve(r *http.Request, c *call) (out any, err error) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return nil, errUnknownOperation
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.cfg.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errTooLarge
		}
		return nil, &wireError{"MalformedHttpRequestException", 400, "The request body could not be read."}
	}
	opName, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	op := h.ops[opName]
	if !ok || op == nil {
		return nil, errUnknownOperation
	}
	c.op = opName
	ctx := r.Context()
	akid, err := h.cfg.Verifier.Verify(ctx, r, body)
	if err != nil {
		return nil, err
	}
	p, err := h.cfg.Keys.Principal(ctx, akid)
	if err != nil {
		return nil, err
	}
	c.principal, c.body = &p, body
	ctx = identity.WithCall(identity.With(ctx, p), identity.Call{SourceIP: audit.SourceIP(r), SecureTransport: r.TLS != nil})
	ctx, c.trace = kms.WithTrace(ctx)
	return op(ctx, body)
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, c *call, err error) {
	we, known := toWire(err)
	c.errType, c.errMsg = we.Type, we.Message
	if !known {
		// The cause stays in the log; the client gets a fixed message.
		h.cfg.Logger.Error("internal error", "request_id", c.reqID, "operation", c.op, "err", err)
	} else if h.cfg.Logger.Enabled(r.Context(), slog.LevelDebug) {
		h.cfg.Logger.Debug("request refused", "request_id", c.reqID, "operation", c.op, "type", we.Type)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", we.Type)
	w.WriteHeader(we.Status)
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{we.Type, we.Message})
	w.Write(body)
}
