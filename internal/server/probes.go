package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/metrics"
)

// The operational endpoints. They answer GET (and HEAD) without
// authentication, as probes and scrapers expect; POST / stays the KMS
// (and IAM) API. They reveal no key, alias or caller: only request counts
// and latencies by operation, and whether the store, the root key and the
// audit trail answer. To keep them off the API's network, serve them on
// --metrics-listen.
const (
	pathHealthz = "/healthz"
	pathReadyz  = "/readyz"
	pathMetrics = "/metrics"
)

// isProbe matches the probes' requests: GET or HEAD of their paths.
func isProbe(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	switch r.URL.Path {
	case pathHealthz, pathReadyz, pathMetrics:
		return true
	}
	return false
}

// probesRoute is the probes' row of a route table: unauthenticated by
// decision, neither audited nor counted (scrapers would drown the trail).
func probesRoute(reg *metrics.Registry, ready *readiness) frontdoor.Route {
	return frontdoor.Route{
		Name: "probes", Match: isProbe, Auth: frontdoor.Unauthenticated, MaxBody: 1 << 10,
		Protocol: &probes{reg: reg, ready: ready},
	}
}

// probes is the plain protocol of the operational endpoints: JSON for the
// health checks, Prometheus text for the metrics.
type probes struct {
	reg   *metrics.Registry
	ready *readiness
}

// probeAnswer is what a probe's Call returns.
type probeAnswer struct {
	status      int
	contentType string
	body        []byte
}

var errNotProbe = errors.New("not a probe")

func (p *probes) Operation(x *frontdoor.Exchange) error {
	if !isProbe(x.Request) {
		return errNotProbe
	}
	x.Op = x.Request.URL.Path
	return nil
}

func (p *probes) Call(ctx context.Context, x *frontdoor.Exchange) (any, error) {
	if _, ok := identity.From(ctx); ok {
		return nil, errors.New("server: a probe carries a principal")
	}
	switch x.Op {
	case pathHealthz:
		return jsonAnswer(http.StatusOK, map[string]string{"status": "ok"}), nil
	case pathReadyz:
		rep := p.ready.check(ctx)
		status := http.StatusOK
		if rep.Status != "ready" {
			status = http.StatusServiceUnavailable
		}
		return jsonAnswer(status, rep), nil
	default:
		var buf bytes.Buffer
		if _, err := p.reg.WriteTo(&buf); err != nil {
			return nil, err
		}
		return probeAnswer{http.StatusOK, metrics.ContentType, buf.Bytes()}, nil
	}
}

func jsonAnswer(status int, v any) probeAnswer {
	b, _ := json.Marshal(v)
	return probeAnswer{status, "application/json", append(b, '\n')}
}

func (p *probes) Encode(x *frontdoor.Exchange, out any) (int, []byte, error) {
	a := out.(probeAnswer)
	x.Header.Set("Content-Type", a.contentType)
	x.Header.Set("Cache-Control", "no-store")
	if x.Request.Method == http.MethodHead {
		return a.status, nil, nil
	}
	return a.status, a.body, nil
}

func (p *probes) EncodeError(x *frontdoor.Exchange, err error) frontdoor.WireError {
	x.Header.Set("Content-Type", "text/plain; charset=utf-8")
	if errors.Is(err, errNotProbe) {
		return frontdoor.WireError{Code: "NotFound", Message: "not found", Status: http.StatusNotFound, Body: []byte("404 page not found\n"), Known: true}
	}
	known := errors.Is(err, frontdoor.ErrTooLarge)
	return frontdoor.WireError{Code: "Error", Message: "probe failed", Status: http.StatusInternalServerError, Body: []byte("probe failed\n"), Known: known}
}

func (p *probes) Record(*frontdoor.Exchange) *audit.Record { return nil }
