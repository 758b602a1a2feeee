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

type ctxKey struct{}

// With returns a copy of ctx carrying p.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// WithSystem returns a copy of ctx carrying System.
func WithSystem(ctx context.Context) context.Context { return With(ctx, System) }

// From returns the principal carried by ctx. ok is false when ctx carries
// none, or carries the zero Principal.
func From(ctx context.Context) (p Principal, ok bool) {
	p, _ = ctx.Value(ctxKey{}).(Principal)
	return p, p.Kind != KindNone
}

// Call describes the connection a request came over, for the condition
// keys aws:SourceIp and aws:SecureTransport.
type Call struct {
	SourceIP        string
	SecureTransport bool
}

type callKey struct{}

// WithCall returns a copy of ctx carrying c.
func WithCall(ctx context.Context, c Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// CallFrom returns the call ctx carries (the zero Call if none).
func CallFrom(ctx context.Context) Call {
	c, _ := ctx.Value(callKey{}).(Call)
	return c
}
