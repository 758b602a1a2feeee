package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// readyTimeout bounds each readiness check.
const readyTimeout = time.Second

// readyReuse is how long a readiness result is reused, so that probes
// arriving in a burst cost one store read.
const readyReuse = time.Second

// readiness answers /readyz: 200 when the store answers a read, the root
// key seals and unseals and the audit trail records, else 503 with the
// failed checks.
type readiness struct {
	store store.Store
	root  rootkey.RootKey
	trail auditHealth // nil: no audit check
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

// auditHealth is the audit trail's health (package audit's Log).
type auditHealth interface{ Healthy() error }

func newReadiness(st store.Store, rk rootkey.RootKey, trail auditHealth, log *slog.Logger) *readiness {
	return &readiness{store: st, root: rk, trail: trail, log: log}
}

// probeKeyID is a key ID no key has (not a version 4 UUID): reading it is
// a cheap round trip to the store that answers ErrNotFound.
const probeKeyID = "00000000-0000-0000-0000-000000000000"

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
	if rd.trail != nil {
		// Not ready while requests cannot be audited: by default they are
		// refused, so a load balancer should send them elsewhere.
		rep.Checks["audit"] = rd.result("audit", rd.trail.Healthy())
	}
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
		sealed, err := rd.root.Seal(probe, rootkey.ReadinessProbeContext)
		if err == nil {
			var got []byte
			if got, err = rd.root.Unseal(sealed, rootkey.ReadinessProbeContext); err == nil && !bytes.Equal(got, probe) {
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
