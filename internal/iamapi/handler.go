package iamapi

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store"
)

// DefaultMaxBody bounds request bodies: the largest legal input is a
// 131,072-character policy document, which URL-encoding can triple.
const DefaultMaxBody = 1 << 20

// Config holds a Handler's dependencies.
type Config struct {
	Store     store.Store
	Keys      *accesskey.Keyring
	AccountID string
	Region    string       // the server's region: STS's, and accepted for IAM
	Logger    *slog.Logger // slog.Default() if nil
	Audit     *audit.Log   // every request is recorded here, if set
	MaxBody   int64        // DefaultMaxBody if zero
	// Now is the clock of creation dates and of SigV4; time.Now if nil.
	Now func() time.Time
	// OnUserChange, if set, is called after a user's policies change or the
	// user is deleted, with the user's name: the KMS service's
	// InvalidateUser, so that its cached identity policies follow at once.
	OnUserChange func(userName string)
}

// Handler serves the IAM and STS Query APIs. It is safe for concurrent use.
type Handler struct {
	cfg       Config
	verifiers map[string][]*sigv4.Verifier // by signing service; the first is the default
	// mu serialises every change to users and access keys (see doc.go).
	mu sync.Mutex
}

// New returns a Handler.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg, verifiers: make(map[string][]*sigv4.Verifier)}
	regions := map[string][]string{
		"iam": {globalRegion, cfg.Region},
		"sts": {cfg.Region, globalRegion},
	}
	for service, rs := range regions {
		for i, region := range rs {
			if i > 0 && region == rs[0] {
				continue
			}
			h.verifiers[service] = append(h.verifiers[service],
				&sigv4.Verifier{Service: service, Region: region, Lookup: cfg.Keys.Secret, Now: cfg.Now})
		}
	}
	return h
}

// IsQueryRequest reports whether r is for this handler: a form-encoded body
// and no X-Amz-Target (which the KMS JSON protocol uses).
func IsQueryRequest(r *http.Request) bool {
	if r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// Route returns a handler that sends Query requests (IsQueryRequest) to
// query and everything else to other.
func Route(query, other http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsQueryRequest(r) {
			query.ServeHTTP(w, r)
			return
		}
		other.ServeHTTP(w, r)
	})
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{reqID: uuid.NewString(), service: "iam"}
	defer h.record(r, c)
	result, err := h.serve(r, c)
	var body []byte
	if err == nil {
		body, err = encodeResponse(c.action, namespace(c.service), result, c.reqID)
	}
	if err != nil {
		h.writeError(w, r, c, err)
		return
	}
	c.result = result
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", c.reqID)
	w.Write(body)
}

func (h *Handler) serve(r *http.Request, c *call) (any, error) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return nil, fail("InvalidAction", "Trent accepts Query requests as POST / only.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.cfg.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, fail("RequestEntityTooLarge", "Request body is too large.")
		}
		return nil, fail("MalformedQueryString", "The request body could not be read.")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fail("MalformedQueryString", "The request body is not a valid form.")
	}
	act, err := h.lookupAction(form, c)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	akid, err := h.verifier(r, act.service).Verify(ctx, r, body)
	if err != nil {
		return nil, err
	}
	p, err := h.cfg.Keys.Principal(ctx, akid)
	if err != nil {
		if errors.Is(err, sigv4.ErrUnknownAccessKey) {
			// Deactivated or deleted between the two lookups.
			return nil, fail("InvalidClientTokenId", "The security token included in the request is invalid.")
		}
		return nil, err
	}
	c.principal, c.form = &p, form
	req := &request{params: newParams(form), caller: p, http: r}
	if act.mutates {
		h.mu.Lock()
		defer h.mu.Unlock()
	}
	return act.run(h, identity.With(ctx, p), req)
}

// changed reports a change to a user's policies, or its deletion.
func (h *Handler) changed(userName string) {
	if h.cfg.OnUserChange != nil {
		h.cfg.OnUserChange(userName)
	}
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, c *call, err error) {
	ae, known := toAPIError(err)
	c.errCode, c.errMsg = ae.Code, ae.Message
	if !known {
		h.cfg.Logger.Error("internal error", "request_id", c.reqID, "action", c.action, "err", err)
	} else if h.cfg.Logger.Enabled(r.Context(), slog.LevelDebug) {
		h.cfg.Logger.Debug("request refused", "request_id", c.reqID, "action", c.action, "code", ae.Code)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", c.reqID)
	w.WriteHeader(ae.Status)
	w.Write(encodeError(namespace(c.service), ae, c.reqID))
}
