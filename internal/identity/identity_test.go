package identity

import (
	"context"
	"testing"
)

func TestNobodyIsNotAPrincipal(t *testing.T) {
	for name, ctx := range map[string]context.Context{
		"empty context":  context.Background(),
		"zero principal": With(context.Background(), Principal{}),
		"call only":      WithCall(context.Background(), Call{SourceIP: "127.0.0.1"}),
	} {
		if p, ok := From(ctx); ok || p.IsRoot() || p.Authenticated() || p.IsSystem() {
			t.Errorf("%s: From = %+v, %v; want nobody", name, p, ok)
		}
	}
	if (Principal{ARN: "arn:aws:iam::111122223333:root"}).IsRoot() {
		t.Error("a Principal without Kind counts as the account root")
	}
}

func TestPrincipalAndCallTravelTogether(t *testing.T) {
	root := Principal{Kind: KindRoot, ARN: "arn:aws:iam::111122223333:root", AccountID: "111122223333"}
	call := Call{SourceIP: "192.0.2.1", SecureTransport: true}
	for name, ctx := range map[string]context.Context{
		"WithCaller":      WithCaller(context.Background(), root, call),
		"With, WithCall":  WithCall(With(context.Background(), root), call),
		"WithCall, With":  With(WithCall(context.Background(), call), root),
		"WithCaller over": WithCaller(WithSystem(context.Background()), root, call),
	} {
		p, ok := From(ctx)
		if !ok || !p.IsRoot() || p.ARN != root.ARN || CallFrom(ctx) != call {
			t.Errorf("%s: From = %+v, %v; CallFrom = %+v", name, p, ok, CallFrom(ctx))
		}
	}
	sys, ok := From(WithSystem(context.Background()))
	if !ok || !sys.IsSystem() || sys.Authenticated() {
		t.Errorf("System = %+v, %v", sys, ok)
	}
}
