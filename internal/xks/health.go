package xks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// Health statuses of ekmFleetDetails.
const (
	healthActive      = "ACTIVE"
	healthUnavailable = "UNAVAILABLE"
)

// MaxHealthTTL is the longest a deep health check result is served from
// cache: the specification allows at most one minute.
const MaxHealthTTL = time.Minute

// failedHealthTTL bounds how long a failed check is served, so that a
// token that comes back is seen within seconds.
const failedHealthTTL = 5 * time.Second

// healthPlaintext is the block the deep check encrypts and decrypts.
var healthPlaintext = []byte("trent xks proxy deep health check")

// healthAAD binds the check's ciphertext to its purpose.
var healthAAD = []byte("trent-xks-health")

// healthChecker runs deep health checks, a round trip through the token
// with a store's test key, and caches their results per key.
type healthChecker struct {
	pool *pkcs11.Pool
	ttl  time.Duration
	now  func() time.Time
	warn func(msg string, args ...any)

	mu    sync.Mutex // held during a check: concurrent callers wait for its result
	cache map[string]healthResult
}

type healthResult struct {
	status string
	until  time.Time
}

// status returns ACTIVE when the token encrypts and decrypts with key, or
// UNAVAILABLE; a result is reused for up to ttl (failures for at most
// failedHealthTTL).
func (h *healthChecker) status(key pkcs11.PoolKey) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	name := key.String()
	now := h.now()
	if r, ok := h.cache[name]; ok && now.Before(r.until) {
		return r.status
	}
	r := healthResult{status: healthActive, until: now.Add(h.ttl)}
	if err := h.check(key); err != nil {
		h.warn("deep health check failed", "health_key", name, "err", err)
		r = healthResult{status: healthUnavailable, until: now.Add(min(h.ttl, failedHealthTTL))}
	}
	h.cache[name] = r
	return r.status
}

// check encrypts and decrypts healthPlaintext in the token.
func (h *healthChecker) check(key pkcs11.PoolKey) error {
	iv := make([]byte, pkcs11.GCMIVSize)
	rand.Read(iv)
	used, ct, err := h.pool.EncryptAESGCM(key, iv, healthAAD, healthPlaintext)
	if err != nil {
		return err
	}
	pt, err := h.pool.DecryptAESGCM(key, used, healthAAD, ct)
	if err != nil {
		return err
	}
	if !bytes.Equal(pt, healthPlaintext) {
		return errHealthMismatch
	}
	return nil
}

var errHealthMismatch = newError(InternalException, "the token's AES-GCM round trip gave other bytes")

// health answers GetHealthStatus for a store: one proxy (this one), the
// token as the one external key manager of the fleet.
func (s *Server) health(st *store) *healthOut {
	info := s.pool.Info()
	vendor := info.Manufacturer
	if vendor == "" {
		vendor = "unknown"
	}
	id := info.Serial
	if id == "" {
		id = info.Label
	}
	model := info.Model
	if model == "" {
		model = "unknown"
	}
	return &healthOut{FleetSize: 1, Vendor: "Trent", Model: "Trent XKS proxy " + s.version,
		EKMVendor: vendor, EKMFleet: []ekmDetail{{ID: id, Model: model, HealthStatus: s.checker.status(st.health)}}}
}

// ProbePath is the load balancers' health probe, MetricsPath the
// Prometheus text exposition of the proxy's requests: GET, no credentials.
const (
	ProbePath   = "/healthz"
	MetricsPath = "/metrics"
)

func isProbe(r *http.Request) bool {
	return (r.URL.Path == ProbePath || r.URL.Path == MetricsPath) && (r.Method == http.MethodGet || r.Method == http.MethodHead)
}

// probeProtocol answers GET /healthz with the deep health of every key
// store (the cached results GetHealthStatus uses): 200 {"status":"ACTIVE"}
// when all are ACTIVE, else 503 {"status":"UNAVAILABLE"}, so that a load
// balancer takes a proxy whose token is gone out of rotation. Probes are
// not audited.
type probeProtocol struct{ s *Server }

type probeOut struct {
	Status string `json:"status"`
}

func (probeProtocol) Operation(x *frontdoor.Exchange) error {
	x.Op = "Healthz"
	if x.Request.URL.Path == MetricsPath {
		x.Op = "Metrics"
	}
	return nil
}

// exposition is the answer of GET /metrics.
type exposition []byte

func (p probeProtocol) Call(_ context.Context, x *frontdoor.Exchange) (any, error) {
	if x.Op == "Metrics" {
		var b bytes.Buffer
		_, err := p.s.metrics.Registry.WriteTo(&b)
		return exposition(b.Bytes()), err
	}
	stores := p.s.state.Load().stores
	keys := make([]string, 0, len(stores))
	for k := range stores {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if p.s.checker.status(stores[k].health) != healthActive {
			return nil, errProbeUnavailable
		}
	}
	return probeOut{Status: healthActive}, nil
}

var errProbeUnavailable = &Error{Name: healthUnavailable, Status: http.StatusServiceUnavailable}

func (probeProtocol) Encode(x *frontdoor.Exchange, out any) (int, []byte, error) {
	if e, ok := out.(exposition); ok {
		x.Header.Set("Content-Type", "text/plain; version=0.0.4")
		return http.StatusOK, e, nil
	}
	b, err := json.Marshal(out)
	x.Header.Set("Content-Type", "application/json")
	return http.StatusOK, b, err
}

func (probeProtocol) EncodeError(x *frontdoor.Exchange, err error) frontdoor.WireError {
	x.Header.Set("Content-Type", "application/json")
	body, _ := json.Marshal(probeOut{Status: healthUnavailable})
	return frontdoor.WireError{Code: healthUnavailable, Status: http.StatusServiceUnavailable, Body: body, Known: err == errProbeUnavailable}
}

func (probeProtocol) Record(*frontdoor.Exchange) *audit.Record { return nil }
