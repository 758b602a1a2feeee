package api

import "time"

// Observer is told of every request the Handler answers, for metrics. The
// api package knows nothing of how the figures are kept; package server
// passes an Observer backed by package metrics.
type Observer interface {
	// ObserveRequest is called once per request, after the answer has been
	// written. operation is the KMS operation name, or "" when the request
	// named none the Handler knows; outcome is "ok" or the AWS exception
	// name of the error answer; elapsed runs from the start of ServeHTTP.
	// It is on the hot path: it must be quick and must not block.
	ObserveRequest(operation, outcome string, elapsed time.Duration)
}

// observe reports c to the configured Observer, if any.
func (h *Handler) observe(c *call, start time.Time) {
	if h.cfg.Observer == nil {
		return
	}
	outcome := c.errType
	if outcome == "" {
		outcome = "ok"
	}
	h.cfg.Observer.ObserveRequest(c.op, outcome, time.Since(start))
}
