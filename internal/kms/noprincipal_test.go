package kms_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
)

// TestNoPrincipalRefused checks that the core fails closed: a call whose
// context carries no principal, or the zero Principal, is refused with
// AccessDenied and changes nothing, whatever the operation.
func TestNoPrincipalRefused(t *testing.T) {
	svc, _ := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	blob, err := svc.Encrypt(sysCtx(), id, []byte("data"), nil, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]func(ctx context.Context) error{
		"CreateKey":   func(ctx context.Context) error { _, err := svc.CreateKey(ctx, kms.CreateKeyInput{}); return err },
		"DescribeKey": func(ctx context.Context) error { _, err := svc.DescribeKey(ctx, id); return err },
		"ListKeys":    func(ctx context.Context) error { _, _, err := svc.ListKeys(ctx, "", 0); return err },
		"DisableKey":  func(ctx context.Context) error { return svc.DisableKey(ctx, id) },
		"Encrypt": func(ctx context.Context) error {
			_, err := svc.Encrypt(ctx, id, []byte("x"), nil, kms.CryptoOptions{})
			return err
		},
		"Decrypt": func(ctx context.Context) error {
			_, err := svc.Decrypt(ctx, "", blob.Blob, nil, kms.CryptoOptions{})
			return err
		},
		"GenerateDataKey": func(ctx context.Context) error {
			_, err := svc.GenerateDataKey(ctx, id, 32, nil, true, kms.CryptoOptions{})
			return err
		},
		"GenerateRandom":      func(ctx context.Context) error { _, err := svc.GenerateRandom(ctx, 16); return err },
		"CreateAlias":         func(ctx context.Context) error { return svc.CreateAlias(ctx, "alias/nobody", id) },
		"PutKeyPolicy":        func(ctx context.Context) error { return svc.PutKeyPolicy(ctx, id, "default", `{}`, false) },
		"GetKeyPolicy":        func(ctx context.Context) error { _, err := svc.GetKeyPolicy(ctx, id, "default"); return err },
		"ScheduleKeyDeletion": func(ctx context.Context) error { _, err := svc.ScheduleKeyDeletion(ctx, id, 7); return err },
		"TagResource":         func(ctx context.Context) error { return svc.TagResource(ctx, id, nil) },
		"ListGrants":          func(ctx context.Context) error { _, _, err := svc.ListGrants(ctx, id, "", "", "", 0); return err },
		"GetParametersForImport": func(ctx context.Context) error {
			_, err := svc.GetParametersForImport(ctx, id, "RSAES_OAEP_SHA_256", "RSA_2048")
			return err
		},
	}
	contexts := map[string]context.Context{
		"no principal":   context.Background(),
		"zero principal": identity.With(context.Background(), identity.Principal{}),
	}
	for cname, ctx := range contexts {
		for name, op := range ops {
			t.Run(cname+"/"+name, func(t *testing.T) {
				err := op(ctx)
				if !errors.Is(err, kms.ErrAccessDenied) {
					t.Fatalf("%s without a principal: err = %v, want AccessDenied", name, err)
				}
			})
		}
	}
	k, err := svc.DescribeKey(sysCtx(), id)
	if err != nil {
		t.Fatal(err)
	}
	if st := svc.State(k); st != kms.StateEnabled {
		t.Errorf("key state after refused calls = %s, want Enabled", st)
	}
}
