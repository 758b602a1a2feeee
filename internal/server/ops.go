package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/metrics"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// The operational endpoints. They answer GET (and HEAD) without
// authentication, as probes and scrapers expect; POST / stays the KMS
// (and IAM) API. They reveal no key, alias or caller: only request counts
// and latencies by operation, and whether the store and root key answer.
// To keep them off the API's network, serve them on --metrics-listen.
const (
	pathHealthz = "/healthz"
	pathReadyz  = "/readyz"
	pathMetrics = "/metrics"
)

// readyTimeout bounds each readiness check.
const readyTimeout = time.Second

// readyReuse is how long a readiness result is reused, so that probes
// arriving in a burst cost one store read.
const readyReuse = time.Second

// newOps returns the handler of the operational endpoints.
func newOps(reg *metrics.Registry, ready *readiness) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathHealthz, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET "+pathReadyz, ready)
	mux.Handle("GET "+pathMetrics, reg.Handler())
	return mux
}

// withOps serves GET and HEAD of the operational paths with ops and
// everything else with api.
func withOps(api, ops http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			switch r.URL.Path {
			case pathHealthz, pathReadyz, pathMetrics:
				ops.ServeHTTP(w, r)
				return
			}
		}
		api.ServeHTTP(w, r)
	})
}

// readiness answers /readyz: 200 when the store answers a read and the
// root key seals and unseals, else 503 with the failed checks.
type readiness struct {
	store store.Store
	root  rootkey.RootKey
	log   *slog.Logger

	mu     sync.Mutex
	at     time.Time // when last was computed
	last   readyReport
	failed bool
}

type readyReport struct {
	Status string            `json:"status"` // "ready" or "not ready"
	Checks map[string]string `json:"checks"` // check -> "ok" or why not
}

func newReadiness(st store.Store, rk rootkey.RootKey, log *slog.Logger) *readiness {
	return &readiness{store: st, root: rk, log: log}
}

// probeKeyID is a key ID no key has (not a version 4 UUID): reading it is
// a cheap round trip to the store that answers ErrNotFound.
const probeKeyID = "00000000-0000-0000-0000-000000000000"

func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := rd.check(r.Context())
	status := http.StatusOK
	if rep.Status != "ready" {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, rep)
}

// check runs the checks, or returns the result of a run less than
// readyReuse ago. Concurrent callers wait for one run.
func (rd *readiness) check(ctx context.Context) readyReport {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if !rd.at.IsZero() && time.Since(rd.at) < readyReuse {
		return rd.last
	}
	rep := readyReport{Status: "ready", Checks: map[string]string{}}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyTimeout)
	defer cancel()
	rep.Checks["store"] = rd.result("store", rd.checkStore(ctx))
	rep.Checks["root_key"] = rd.result("root_key", rd.checkRootKey(ctx))
	for _, v := range rep.Checks {
		if v != "ok" {
			rep.Status = "not ready"
		}
	}
	// Log transitions, not every probe.
	if failed := rep.Status != "ready"; failed != rd.failed {
		rd.failed = failed
		if failed {
			rd.log.Warn("not ready", "checks", rep.Checks)
		} else {
			rd.log.Info("ready again")
		}
	}
	rd.at, rd.last = time.Now(), rep
	return rep
}

// result turns a check's error into its report: "ok", "timeout" or
// "failed". The cause is logged, not answered: probes are unauthenticated.
func (rd *readiness) result(name string, err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.DeadlineExceeded):
		rd.log.Debug("readiness check timed out", "check", name, "err", err)
		return "timeout"
	default:
		rd.log.Debug("readiness check failed", "check", name, "err", err)
		return "failed"
	}
}

func (rd *readiness) checkStore(ctx context.Context) error {
	_, err := rd.store.GetKey(ctx, probeKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err == nil {
		return nil // an odd key, but the store answered
	}
	return err
}

// checkRootKey seals and unseals a probe, with the timeout applied from
// outside (a root key call takes no context).
func (rd *readiness) checkRootKey(ctx context.Context) error {
	done := make(chan error, 1)
	go func() {
		probe := []byte("trent readiness probe")
		sealed, err := rd.root.Seal(probe, "readiness-probe")
		if err == nil {
			var got []byte
			if got, err = rd.root.Unseal(sealed, "readiness-probe"); err == nil && !bytes.Equal(got, probe) {
				err = errors.New("unsealed probe differs")
			}
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
