package xks

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/frontdoor"
)

// call is one request's protocol state (frontdoor.Exchange.State): what
// Operation, the authenticator and Call learned, for the audit record.
type call struct {
	start  time.Time
	store  *store
	keyID  string
	akid   string // the signer's access key id
	region string // the region of the signature's scope
	meta   requestMetadata
	// Sizes, for the audit record (never the bytes).
	plaintextLen, aadLen int
}

// protocol is the XKS proxy API's codec on the front door: JSON bodies,
// the API named by the URI path, answers and errors as the specification
// writes them.
type protocol struct{ s *Server }

// Operation names the API from the method and the path and finds the key
// store of the path's prefix. It answers 405 to anything but POST and
// InvalidUriPathException to a path of no API or no store.
func (p *protocol) Operation(x *frontdoor.Exchange) error {
	c := &call{start: time.Now()}
	x.State = c
	if x.Request.Method != http.MethodPost {
		x.Op = "MethodNotAllowed"
		return errMethodNotAllowed
	}
	prefix, api, keyID, ok := parsePath(x.Request.URL.Path)
	if !ok {
		x.Op = "InvalidUriPath"
		return newError(InvalidUriPathException, "The URI path names no XKS proxy API.")
	}
	x.Op, c.keyID = api, keyID
	if c.store = p.s.state.Load().stores[prefix]; c.store == nil {
		return newError(InvalidUriPathException, "The URI path names no key store of this proxy.")
	}
	return nil
}

// Call decodes the request, finds the key, authorizes and runs the API.
func (p *protocol) Call(ctx context.Context, x *frontdoor.Exchange) (any, error) {
	c := x.State.(*call)
	if x.Principal == nil {
		return nil, errors.New("xks: an unauthenticated request reached Call")
	}
	r, err := decodeRequest(x.Op, x.Body)
	// The body held the plaintext (base64) of an Encrypt: not kept.
	clear(x.Body)
	if err != nil {
		return nil, err
	}
	defer r.wipe()
	c.meta, c.plaintextLen, c.aadLen = *r.Metadata, len(r.Plaintext), len(r.AAD)
	if x.Op == apiGetHealthStatus {
		return p.s.health(c.store), nil
	}
	k := c.store.keys[c.keyID]
	if k == nil {
		return nil, errKeyNotFound
	}
	if !authorize(k.allow, c.meta.AWSPrincipalARN, c.meta.KMSOperation) {
		p.s.log.Warn("secondary authorization denied: no allow rule of the key names this principal and operation",
			"uri_prefix", c.store.prefix, "external_key_id", k.id, "aws_principal_arn", c.meta.AWSPrincipalARN,
			"kms_operation", c.meta.KMSOperation, "kms_request_id", c.meta.KMSRequestID, "rules", len(k.allow))
		return nil, errDenied
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch x.Op {
	case apiGetKeyMetadata:
		return p.s.ops.metadata(k)
	case apiEncrypt:
		return p.s.ops.encrypt(k, r)
	default:
		x.Sensitive = true // the answer holds plaintext
		return p.s.ops.decrypt(k, r)
	}
}

// Encode writes the answer as JSON; a decrypt's plaintext is wiped once
// encoded (the pipeline wipes the encoded body once sent).
func (p *protocol) Encode(x *frontdoor.Exchange, out any) (int, []byte, error) {
	b, err := json.Marshal(out)
	if d, ok := out.(*decryptOut); ok {
		clear(d.Plaintext)
	}
	if err != nil {
		return 0, nil, err
	}
	x.Header.Set("Content-Type", "application/json")
	return http.StatusOK, b, nil
}

// EncodeError writes the specification's error body. Pipeline failures
// get their nearest errorName; an error of no known kind is
// InternalException with a fixed message (its cause is logged).
func (p *protocol) EncodeError(x *frontdoor.Exchange, err error) frontdoor.WireError {
	e, known := asError(err)
	switch {
	case known:
	case errors.Is(err, frontdoor.ErrTooLarge):
		e, known = invalid("The request body is too large."), true
	case errors.Is(err, frontdoor.ErrUnreadable):
		e, known = invalid("The request body could not be read."), true
	case errors.Is(err, frontdoor.ErrAuditUnavailable):
		e, known = newError(InternalException, "The XKS proxy cannot record requests in its audit log."), true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		e, known = errDependency, true
	default:
		e = errInternal
	}
	if e.Status == http.StatusMethodNotAllowed {
		x.Header.Set("Allow", http.MethodPost)
	}
	x.Header.Set("Content-Type", "application/json")
	body, _ := json.Marshal(errorBody{Name: e.Name, Message: e.Message})
	return frontdoor.WireError{Code: e.Name, Message: e.Message, Status: e.Status, Body: body, Known: known}
}

// eventSource names the XKS proxy in audit records.
const eventSource = "xks-proxy.trent"

// auditParams are the requestParameters of an XKS audit record: the
// request's metadata and shapes, never plaintext, ciphertext or AAD bytes.
type auditParams struct {
	URIPrefix     string           `json:"uriPrefix"`
	ExternalKeyID string           `json:"externalKeyId,omitempty"`
	Metadata      *requestMetadata `json:"requestMetadata,omitempty"`
	PlaintextLen  int              `json:"plaintextLength,omitempty"`
	AADLen        int              `json:"additionalAuthenticatedDataLength,omitempty"`
	LatencyMillis float64          `json:"latencyMillis"`
}

// Record returns x's audit record and logs the request (kmsRequestId,
// outcome, latency; never plaintext), as the specification asks.
func (p *protocol) Record(x *frontdoor.Exchange) *audit.Record {
	c, _ := x.State.(*call)
	if c == nil {
		c = &call{start: time.Now()}
	}
	elapsed := time.Since(c.start)
	params := auditParams{ExternalKeyID: c.keyID, PlaintextLen: c.plaintextLen, AADLen: c.aadLen,
		LatencyMillis: float64(elapsed.Microseconds()) / 1000}
	if c.store != nil {
		params.URIPrefix = c.store.prefix
	}
	if c.meta != (requestMetadata{}) {
		params.Metadata = &c.meta
	}
	reqJSON, _ := json.Marshal(params)
	rec := &audit.Record{
		EventTime: time.Now().UTC(), EventSource: eventSource, EventName: x.Op, AWSRegion: c.region,
		SourceIPAddress: audit.SourceIP(x.Request), UserAgent: x.Request.UserAgent(),
		RequestParameters: reqJSON, ResponseElements: json.RawMessage("null"), RequestID: x.ID,
		UserIdentity: audit.UserIdentity{Type: "AWSService", InvokedBy: "kms.amazonaws.com",
			ARN: c.meta.AWSPrincipalARN, AccessKeyID: c.akid},
	}
	if c.meta.KMSKeyARN != "" {
		rec.Resources = []audit.Resource{{Type: audit.KeyResourceType, ARN: c.meta.KMSKeyARN}}
	}
	if x.Failed() {
		rec.ErrorCode, rec.ErrorMessage = x.Outcome, x.ErrorMessage
	}
	p.s.log.Info("xks request", "request_id", x.ID, "kms_request_id", c.meta.KMSRequestID,
		"operation", x.Op, "kms_operation", c.meta.KMSOperation, "uri_prefix", params.URIPrefix,
		"external_key_id", c.keyID, "outcome", x.Outcome, "latency_ms", params.LatencyMillis)
	return rec
}
