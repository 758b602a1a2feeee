// Package identity carries the caller of a request through a
// context.Context, from the front door's authentication to the core.
//
// # Failing closed
//
// The zero Principal is nobody: it is neither the account root nor a user,
// and From reports no principal for it. The core refuses every call whose
// context carries no principal. Work the server does on its own behalf
// (the sweeper, migrations, tests of the core) runs as System, which the
// front door never gives a request: only in-process code can put it in a
// context, through WithSystem.
package identity

import "context"

// Kind says what sort of caller a Principal is.
type Kind uint8

// The kinds of principal. The zero Kind is no principal at all.
const (
	KindNone   Kind = iota
	KindRoot        // the account root, authenticated by an access key
	KindUser        // an IAM user, authenticated by an access key
	KindSystem      // Trent itself: the sweeper, migrations, admin tooling in process
)

// Principal is a caller.
type Principal struct {
	Kind        Kind
	ARN         string // arn:aws:iam::<account>:root or :user/<name>
	AccountID   string
	UserName    string // empty for the account root
	AccessKeyID string
	UserID      string // the user's unique ID (AIDA...); empty for the root
}

// IsRoot reports whether p is the account root.
func (p Principal) IsRoot() bool { return p.Kind == KindRoot }

// IsSystem reports whether p is Trent itself.
func (p Principal) IsSystem() bool { return p.Kind == KindSystem }

// Authenticated reports whether p is a caller that signed a request: the
// account root or a user.
func (p Principal) Authenticated() bool { return p.Kind == KindRoot || p.Kind == KindUser }

// System is the principal of work the server does on its own behalf.
var System = Principal{Kind: KindSystem, ARN: "trent:system"}

// caller is what a context carries: the principal and the connection,
// under one key so that the front door adds both with one allocation.
type caller struct {
	p    Principal
	call Call
}

type ctxKey struct{}

func callerFrom(ctx context.Context) caller {
	c, _ := ctx.Value(ctxKey{}).(*caller)
	if c == nil {
		return caller{}
	}
	return *c
}

// With returns a copy of ctx carrying p (and the Call ctx carries).
func With(ctx context.Context, p Principal) context.Context {
	c := callerFrom(ctx)
	c.p = p
	return context.WithValue(ctx, ctxKey{}, &c)
}

// WithCaller returns a copy of ctx carrying p and call.
func WithCaller(ctx context.Context, p Principal, call Call) context.Context {
	return context.WithValue(ctx, ctxKey{}, &caller{p: p, call: call})
}

// WithSystem returns a copy of ctx carrying System.
func WithSystem(ctx context.Context) context.Context { return With(ctx, System) }

// From returns the principal carried by ctx. ok is false when ctx carries
// none, or carries the zero Principal.
func From(ctx context.Context) (p Principal, ok bool) {
	p = callerFrom(ctx).p
	return p, p.Kind != KindNone
}

// Call describes the connection a request came over, for the condition
// keys aws:SourceIp and aws:SecureTransport.
type Call struct {
	SourceIP        string
	SecureTransport bool
}

// WithCall returns a copy of ctx carrying c (and the principal ctx carries).
func WithCall(ctx context.Context, c Call) context.Context {
	cl := callerFrom(ctx)
	cl.call = c
	return context.WithValue(ctx, ctxKey{}, &cl)
}

// CallFrom returns the call ctx carries (the zero Call if none).
func CallFrom(ctx context.Context) Call { return callerFrom(ctx).call }
