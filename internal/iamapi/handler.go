package iamapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/iam"
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
	Region    string // the server's region: STS's, and accepted for IAM
	MaxBody   int64  // DefaultMaxBody if zero
	// Now is the clock of creation dates and of SigV4; time.Now if nil.
	Now func() time.Time
	// OnUserChange, if set, is called after a user's policies change or the
	// user is deleted, with the user's name: the KMS service's
	// InvalidateUser, so that its cached identity policies follow at once.
	OnUserChange func(userName string)
	// Logger, Audit and Observer serve ServeHTTP's pipeline only; the
	// server's one pipeline has its own.
	Logger   *slog.Logger // slog.Default() if nil
	Audit    frontdoor.Trail
	Observer frontdoor.Observer
}

// Handler is the IAM and STS Query protocol (a frontdoor.Protocol). It is
// safe for concurrent use: the store keeps the invariants (unique user
// names, two access keys per user) under concurrent calls, from any node.
type Handler struct {
	cfg       Config
	iam       *iam.Service                 // the core the actions call
	verifiers map[string][]*sigv4.Verifier // by signing service; the first is the default
	alone     *frontdoor.Table             // ServeHTTP's
}

var _ frontdoor.Protocol = (*Handler)(nil)

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
	// The pipeline puts the caller and its connection in each call's
	// context; the core reads them from there.
	h.iam = iam.New(iam.Config{
		Store: cfg.Store, Keys: cfg.Keys, AccountID: cfg.AccountID,
		Now: cfg.Now, OnUserChange: h.changed,
	})
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
	h.alone = frontdoor.NewTable(&frontdoor.Pipeline{Log: cfg.Logger, Trail: cfg.Audit, Observer: cfg.Observer})
	if err := h.alone.Add(h.Route()); err != nil {
		panic(err) // a programming error: Route is complete
	}
	return h
}

// Route returns the IAM and STS row of the route table: form-encoded
// requests without X-Amz-Target, SigV4 for "iam" or "sts" as the action
// says, audited and counted.
func (h *Handler) Route() frontdoor.Route {
	return frontdoor.Route{
		Name: "iam", Match: IsQueryRequest, Protocol: h, MaxBody: h.cfg.MaxBody, Audit: true, Metrics: true,
		Auth: &frontdoor.SigV4{Default: "iam", Verifiers: h.verifiers, Keys: h.cfg.Keys},
	}
}

// ServeHTTP serves the IAM route alone through a pipeline of its own, for
// this package's tests; the server serves every route through one table.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.alone.ServeHTTP(w, r) }

// IsQueryRequest reports whether r is for this handler: a form-encoded body
// and no X-Amz-Target (which the KMS JSON protocol uses).
func IsQueryRequest(r *http.Request) bool {
	if r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// exchange is the protocol's state of one request.
type exchange struct {
	form   url.Values
	result any // the answer of a successful call
}

// Operation implements frontdoor.Protocol: the Action and Version of the
// form name the action, and the action its signing service.
func (h *Handler) Operation(x *frontdoor.Exchange) error {
	if x.Request.Method != http.MethodPost || x.Request.URL.Path != "/" {
		return fail("InvalidAction", "Trent accepts Query requests as POST / only.")
	}
	form, err := url.ParseQuery(string(x.Body))
	if err != nil {
		return fail("MalformedQueryString", "The request body is not a valid form.")
	}
	x.State = &exchange{form: form}
	name := form.Get("Action")
	if name == "" {
		return fail("MissingAction", "Missing Action")
	}
	act, ok := actions[name]
	if !ok {
		x.Op = clip(name)
		return fail("InvalidAction", "Could not find operation "+clip(name)+" for version "+clip(form.Get("Version")))
	}
	x.Op, x.Service = name, act.service
	if v := form.Get("Version"); v != versionOf(act.service) {
		return fail("InvalidAction", "Could not find operation "+name+" for version "+clip(v))
	}
	return nil
}

// Call implements frontdoor.Protocol.
func (h *Handler) Call(ctx context.Context, x *frontdoor.Exchange) (any, error) {
	if x.Principal == nil {
		return nil, errors.New("iamapi: a call without a principal reached the handler")
	}
	st := x.State.(*exchange)
	req := &request{params: newParams(st.form)}
	out, err := actions[x.Op].run(h, ctx, req)
	st.result = out
	return out, err
}

// Encode implements frontdoor.Protocol.
func (h *Handler) Encode(x *frontdoor.Exchange, out any) (int, []byte, error) {
	body, err := encodeResponse(x.Op, namespace(x.Service), out, x.ID)
	x.Header.Set("Content-Type", "text/xml")
	return http.StatusOK, body, err
}

// EncodeError implements frontdoor.Protocol.
func (h *Handler) EncodeError(x *frontdoor.Exchange, err error) frontdoor.WireError {
	ae, known := toAPIError(err)
	x.Header.Set("Content-Type", "text/xml")
	return frontdoor.WireError{Code: ae.Code, Message: ae.Message, Status: ae.Status,
		Body: encodeError(namespace(x.Service), ae, x.ID), Known: known}
}

// frameworkError maps the front door's own failures to IAM's codes.
func frameworkError(err error) *apiError {
	switch {
	case errors.Is(err, frontdoor.ErrTooLarge):
		return fail("RequestEntityTooLarge", "Request body is too large.")
	case errors.Is(err, frontdoor.ErrUnreadable):
		return fail("MalformedQueryString", "The request body could not be read.")
	case errors.Is(err, frontdoor.ErrAuditUnavailable):
		return fail("ServiceFailure", "An internal error occurred. Try again.")
	}
	return nil
}

// Record implements frontdoor.Protocol: the audit record as CloudTrail
// records IAM and STS calls, IAM's in us-east-1, STS's in the server's
// region. Every request gets one, refused and unauthenticated ones too.
// Response elements are recorded for changes only (CloudTrail's rule);
// they never hold a secret access key, which is not encoded in JSON.
func (h *Handler) Record(x *frontdoor.Exchange) *audit.Record {
	rec := audit.NewAPICall(x.Request, audit.SourceIAM, x.Op, globalRegion, h.cfg.AccountID, x.ID)
	if x.Failed() {
		rec.ErrorCode, rec.ErrorMessage = x.Outcome, x.ErrorMessage
	}
	if x.Service == "sts" {
		rec.EventSource, rec.AWSRegion = audit.SourceSTS, h.cfg.Region
	}
	st, _ := x.State.(*exchange)
	if x.Principal != nil && st != nil {
		rec.UserIdentity = audit.IdentityOf(*x.Principal)
		rec.RequestParameters = requestParameters(st.form)
	}
	if st != nil && st.result != nil && !x.Failed() && actions[x.Op] != nil && actions[x.Op].mutates {
		if b, err := json.Marshal(st.result); err == nil {
			rec.ResponseElements = audit.RedactParameters(b)
		}
	}
	return rec
}

// changed reports a change to a user's policies, or its deletion.
func (h *Handler) changed(userName string) {
	if h.cfg.OnUserChange != nil {
		h.cfg.OnUserChange(userName)
	}
}

// Actions returns the names of the IAM and STS actions served, sorted, for
// the metrics' per-operation series.
func Actions() []string {
	names := make([]string, 0, len(actions))
	for name := range actions {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
