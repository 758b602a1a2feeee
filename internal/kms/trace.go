package kms

import "context"

// Trace collects, for one request, what the audit record names: the keys
// the request touched. A Trace is used by one request at a time.
type Trace struct {
	KeyARNs []string
}

type traceKey struct{}

// WithTrace returns a context whose operations record into a new Trace.
func WithTrace(ctx context.Context) (context.Context, *Trace) {
	t := &Trace{}
	return context.WithValue(ctx, traceKey{}, t), t
}

// traceKeyARN records that the request touched the key with this ARN.
func traceKeyARN(ctx context.Context, arn string) {
	if t, ok := ctx.Value(traceKey{}).(*Trace); ok {
		for _, a := range t.KeyARNs {
			if a == arn {
				return
			}
		}
		t.KeyARNs = append(t.KeyARNs, arn)
	}
}

// Event is a change the service makes on its own, for the audit trail.
type Event struct {
	Name   string // DeleteKey, DeleteExpiredKeyMaterial
	KeyARN string
}

func (s *Service) event(e Event) {
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(e)
	}
}
