// Package identity carries the authenticated caller of a request through a
// context.Context, from the SigV4 layer to every handler.
package identity

import "context"

// Principal is an authenticated caller.
type Principal struct {
	ARN         string // arn:aws:iam::<account>:root or :user/<name>
	AccountID   string
	UserName    string // empty for the account root
	AccessKeyID string
	UserID      string // the user's unique ID (AIDA...); empty for the root
}

// IsRoot reports whether p is the account root.
func (p Principal) IsRoot() bool { return p.UserName == "" }

type ctxKey struct{}

// With returns a copy of ctx carrying p.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal carried by ctx, if any.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
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
