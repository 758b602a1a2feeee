package metrics

import (
	"runtime"
	"sync"
	"time"
)

// Server holds the series a Trent server exposes:
//
//	trent_requests_total{operation,outcome}        requests answered; outcome is "ok" or the AWS exception name
//	trent_request_duration_seconds{operation}      histogram, from the request's arrival to its answer and audit record
//	trent_store_duration_seconds{op}               histogram of Store calls, op is the method name (GetKey, UpdateKey, ...)
//	trent_rootkey_duration_seconds{op}             histogram of root-key calls: seal, unseal
//	trent_cache_hits_total{cache}                  lookups answered from memory: key, alias, material, access_key
//	trent_cache_misses_total{cache}                lookups that went to the store (or the root key)
//	trent_audit_failures_total                     audit records that could not be written
//	trent_sweeps_total                             background sweeps run (deletions and expiries due)
//	trent_sweep_errors_total                       sweeps that failed
//	trent_sweep_changes_total                      keys the sweeps deleted or changed
//	trent_start_time_seconds                       when the process started, unix seconds
//	go_goroutines                                  goroutines that exist
//
// Per-operation series are created up front for every operation name
// given to NewServer (and "unknown", for requests that name none), so the
// request path only reads a map that never changes and adds atomically.
type Server struct {
	Registry *Registry

	ops      map[string]*opSeries
	requests *CounterVec
	storeDur *HistogramVec
	rootDur  *HistogramVec

	sweeps, sweepErrors, sweepChanges *Counter
	auditFailures                     *Counter

	cacheMu sync.Mutex
	caches  []namedCache
}

// UnknownOperation is the operation label of requests that named no
// operation the server knows (wrong target, wrong path or method).
const UnknownOperation = "unknown"

type opSeries struct {
	name     string
	ok       *Counter
	duration *Histogram
}

type namedCache struct {
	name  string
	stats func() (hits, misses uint64)
}

// NewServer registers Trent's series in a new registry, with request
// series for each of operations.
func NewServer(operations []string) *Server {
	r := NewRegistry()
	s := &Server{Registry: r, ops: make(map[string]*opSeries, len(operations)+1)}
	s.requests = r.NewCounterVec("trent_requests_total",
		"API requests answered (KMS, IAM and STS), by operation and outcome (ok, or the AWS exception name).", "operation", "outcome")
	reqDur := r.NewHistogramVec("trent_request_duration_seconds",
		"Time from a request's arrival to its answer, by operation.", DefaultDurationBuckets, "operation")
	for _, op := range append(append([]string(nil), operations...), UnknownOperation) {
		s.ops[op] = &opSeries{name: op, ok: s.requests.With(op, "ok"), duration: reqDur.With(op)}
	}
	s.storeDur = r.NewHistogramVec("trent_store_duration_seconds",
		"Time spent in calls of the store (database), by method.", DefaultDurationBuckets, "op")
	s.rootDur = r.NewHistogramVec("trent_rootkey_duration_seconds",
		"Time spent sealing and unsealing under the root key, by op (seal, unseal).", DefaultDurationBuckets, "op")
	r.NewFunc("trent_cache_hits_total", "Lookups answered from an in-memory cache, by cache.", TypeCounter,
		[]string{"cache"}, func(emit Emit) { s.emitCaches(emit, true) })
	r.NewFunc("trent_cache_misses_total", "Lookups an in-memory cache could not answer (read from the store), by cache.", TypeCounter,
		[]string{"cache"}, func(emit Emit) { s.emitCaches(emit, false) })
	s.auditFailures = r.NewCounter("trent_audit_failures_total", "Audit records that could not be written (the request was refused unless the server serves unaudited requests).")
	s.sweeps = r.NewCounter("trent_sweeps_total", "Background sweeps run (deletions at the end of their window, expiries of imported material).")
	s.sweepErrors = r.NewCounter("trent_sweep_errors_total", "Background sweeps that failed.")
	s.sweepChanges = r.NewCounter("trent_sweep_changes_total", "Keys deleted or changed by background sweeps.")
	start := r.NewGauge("trent_start_time_seconds", "Start time of the process since the unix epoch, in seconds.")
	start.Set(float64(time.Now().UnixNano()) / 1e9)
	r.NewFunc("go_goroutines", "Number of goroutines that currently exist.", TypeGauge, nil, func(emit Emit) {
		emit(float64(runtime.NumGoroutine()))
	})
	return s
}

// ObserveRequest implements frontdoor.Observer.
func (s *Server) ObserveRequest(operation, outcome string, elapsed time.Duration) {
	o, ok := s.ops[operation]
	if !ok {
		o = s.ops[UnknownOperation]
	}
	if outcome == "ok" {
		o.ok.Inc()
	} else {
		s.requests.With(o.name, outcome).Inc()
	}
	o.duration.Observe(elapsed)
}

// AuditFailed counts an audit record that could not be written.
func (s *Server) AuditFailed() { s.auditFailures.Inc() }

// StoreTimer returns the histogram of the store method op, to keep and
// Observe on every call.
func (s *Server) StoreTimer(op string) *Histogram { return s.storeDur.With(op) }

// RootKeyTimer returns the histogram of the root-key operation op (seal,
// unseal).
func (s *Server) RootKeyTimer(op string) *Histogram { return s.rootDur.With(op) }

// ObserveSweep records one sweep: how many keys it changed and whether it
// failed.
func (s *Server) ObserveSweep(changes int, err error) {
	s.sweeps.Inc()
	if err != nil {
		s.sweepErrors.Inc()
	}
	s.sweepChanges.Add(uint64(max(changes, 0)))
}

// AddCache exposes a cache's hit and miss counts, read by stats when the
// metrics are read.
func (s *Server) AddCache(name string, stats func() (hits, misses uint64)) {
	s.cacheMu.Lock()
	s.caches = append(s.caches, namedCache{name, stats})
	s.cacheMu.Unlock()
}

func (s *Server) emitCaches(emit Emit, hits bool) {
	s.cacheMu.Lock()
	caches := append([]namedCache(nil), s.caches...)
	s.cacheMu.Unlock()
	for _, c := range caches {
		h, m := c.stats()
		if hits {
			emit(float64(h), c.name)
		} else {
			emit(float64(m), c.name)
		}
	}
}
