package kms_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/kms"
)

func TestRotateKeyOnDemand(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	must(t, svc.EnableKeyRotation(ctx, id, 365))
	next := rotationStatus(t, svc, id).Next
	_, orig := materialCount(t, svc, id)
	old, err := svc.Encrypt(ctx, id, []byte("old"), nil, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}

	clk.Advance(time.Hour)
	arn, err := svc.RotateKeyOnDemand(ctx, id) // a bare key ID answers the ARN
	if err != nil || arn != svc.KeyARN(id) {
		t.Fatalf("RotateKeyOnDemand = %q, %v", arn, err)
	}
	n, cur := materialCount(t, svc, id)
	if n != 2 || cur == orig {
		t.Fatalf("after rotation: %d materials, current %s (original %s)", n, cur, orig)
	}
	if st := rotationStatus(t, svc, id); !st.Next.Equal(next) {
		t.Fatalf("on-demand rotation moved the schedule: %v, want %v", st.Next, next)
	}
	dec, err := svc.Decrypt(ctx, "", old.Blob, nil, kms.CryptoOptions{})
	if err != nil || string(dec.Plaintext) != "old" || dec.MaterialID != orig {
		t.Fatalf("old ciphertext: %q, %s, %v", dec.Plaintext, dec.MaterialID, err)
	}
	enc, err := svc.Encrypt(ctx, id, []byte("new"), nil, kms.CryptoOptions{})
	if err != nil || enc.MaterialID != cur {
		t.Fatalf("new encryption under %s, want %s (%v)", enc.MaterialID, cur, err)
	}

	rot, _, err := svc.ListKeyRotations(ctx, id, "", "", 0)
	if err != nil || len(rot) != 1 || rot[0].MaterialID != cur || rot[0].State != kms.MaterialCurrent ||
		rot[0].RotationType != kms.RotationOnDemand || !rot[0].RotationDate.Equal(clk.Now()) || rot[0].KeyID != id {
		t.Fatalf("ListKeyRotations = %+v, %v", rot, err)
	}
	all, _, err := svc.ListKeyRotations(ctx, id, kms.IncludeAllMaterial, "", 0)
	if err != nil || len(all) != 2 || all[0].MaterialID != orig || all[0].State != kms.MaterialNonCurrent ||
		!all[0].RotationDate.IsZero() || all[0].RotationType != "" || all[0].ImportState != "" {
		t.Fatalf("ListKeyRotations(ALL_KEY_MATERIAL) = %+v, %v", all, err)
	}
}

func TestOnDemandRotationLimitAndConflict(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	for i := range 25 {
		if _, err := svc.RotateKeyOnDemand(ctx, id); err != nil {
			t.Fatalf("rotation %d: %v", i+1, err)
		}
	}
	_, err := svc.RotateKeyOnDemand(ctx, id)
	wantKind(t, err, kms.ErrLimitExceeded, "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: "+svc.KeyARN(id))
	// Automatic rotation is not limited.
	must(t, svc.EnableKeyRotation(ctx, id, 90))
	clk.Advance(90 * day)
	sweep(t, svc, 1)

	other := mustCreate(t, svc, kms.CreateKeyInput{})
	must(t, svc.EnableKeyRotation(ctx, other, 90))
	conflict := fmt.Sprintf("An automatic rotation of %s is in progress or scheduled to begin within the next 20 minutes.", svc.KeyARN(other))
	for _, tc := range []struct {
		before time.Duration // the automatic rotation is due this long from now
		want   error
	}{
		{21 * time.Minute, nil},
		{20 * time.Minute, nil}, // "within the next 20 minutes": 20 is not within
		{19 * time.Minute, kms.ErrConflict},
		{-time.Minute, kms.ErrConflict}, // overdue: the sweep is about to rotate
	} {
		t.Run(fmt.Sprint(tc.before), func(t *testing.T) {
			clk.Advance(rotationStatus(t, svc, other).Next.Sub(clk.Now()) - tc.before)
			_, err := svc.RotateKeyOnDemand(ctx, other)
			if tc.want == nil {
				must(t, err)
				return
			}
			wantKind(t, err, tc.want, conflict)
		})
	}
}

func TestListKeyRotationsPaging(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	if rot, next, err := svc.ListKeyRotations(ctx, id, "", "", 0); err != nil || len(rot) != 0 || next != "" {
		t.Fatalf("never rotated: %+v, %q, %v", rot, next, err)
	}
	var want []string
	for range 7 {
		clk.Advance(time.Minute)
		if _, err := svc.RotateKeyOnDemand(ctx, id); err != nil {
			t.Fatal(err)
		}
		_, cur := materialCount(t, svc, id)
		want = append(want, cur)
	}
	for _, limit := range []int{1, 3, 7, 100} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			var got []string
			var last time.Time
			marker := ""
			for pages := 0; ; pages++ {
				rot, next, err := svc.ListKeyRotations(ctx, id, kms.IncludeRotationsOnly, marker, limit)
				if err != nil || len(rot) > limit || pages > 7 {
					t.Fatalf("page %d: %d entries, %v", pages, len(rot), err)
				}
				for _, r := range rot {
					if !r.RotationDate.After(last) {
						t.Fatalf("not oldest first: %v after %v", r.RotationDate, last)
					}
					got, last = append(got, r.MaterialID), r.RotationDate
				}
				if next == "" {
					break
				}
				marker = next
			}
			if !slices.Equal(got, want) {
				t.Fatalf("paged %q, want %q", got, want)
			}
		})
	}
	for _, marker := range []string{"garbage", "bTpub3QtYS1tYXRlcmlhbA"} { // the second: "m:not-a-material"
		_, _, err := svc.ListKeyRotations(ctx, id, "", marker, 0)
		wantKind(t, err, kms.ErrInvalidMarker, "")
	}
	// A marker of another listing is refused.
	mustCreate(t, svc, kms.CreateKeyInput{})
	_, keysNext, err := svc.ListKeys(ctx, "", 1)
	if err != nil || keysNext == "" {
		t.Fatalf("ListKeys: %q, %v", keysNext, err)
	}
	_, _, err = svc.ListKeyRotations(ctx, id, "", keysNext, 0)
	wantKind(t, err, kms.ErrInvalidMarker, "")
}

func TestRotationRefusals(t *testing.T) {
	ctx := sysCtx()
	svc, _ := newService(t)
	disabled := mustCreate(t, svc, kms.CreateKeyInput{})
	must(t, svc.DisableKey(ctx, disabled))
	arn := svc.KeyARN(disabled)
	for name, err := range map[string]error{
		"Enable":   svc.EnableKeyRotation(ctx, disabled, 0),
		"Disable":  svc.DisableKeyRotation(ctx, disabled),
		"OnDemand": func() error { _, err := svc.RotateKeyOnDemand(ctx, disabled); return err }(),
	} {
		t.Run("Disabled/"+name, func(t *testing.T) { wantKind(t, err, kms.ErrDisabled, arn+" is disabled.") })
	}
	// Only a key ID or key ARN names the key, never an alias.
	must(t, svc.CreateAlias(ctx, "alias/a", disabled))
	wantKind(t, svc.EnableKeyRotation(ctx, "alias/a", 0), kms.ErrNotFound, "Invalid keyId 'alias/a'")
	wantKind(t, svc.EnableKeyRotation(ctx, "arn:aws:kms:eu-west-1:123456789012:alias/a", 0), kms.ErrInvalidArn, "")
	unknown := "11111111-2222-4333-8444-555555555555"
	_, err := svc.RotateKeyOnDemand(ctx, unknown)
	wantKind(t, err, kms.ErrNotFound, "Key '"+svc.KeyARN(unknown)+"' does not exist")
}

// TestRotationAuthorization: key policies and the kms:RotationPeriodInDays
// condition key govern the rotation operations.
func TestRotationAuthorization(t *testing.T) {
	svc, _, st := newServiceStore(t)
	addUser(t, st, "rotator", nil)
	addUser(t, st, "app", nil)
	acct := "arn:aws:iam::" + testAccount
	policy := `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"` + acct + `:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":{"AWS":"` + acct + `:user/rotator"},
  "Action":["kms:EnableKeyRotation","kms:DisableKeyRotation","kms:GetKeyRotationStatus","kms:RotateKeyOnDemand","kms:ListKeyRotations"],"Resource":"*"},
 {"Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:EnableKeyRotation","Resource":"*",
  "Condition":{"NumericLessThan":{"kms:RotationPeriodInDays":"365"}}}
]}`
	k, err := svc.CreateKey(as(""), kms.CreateKeyInput{Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]func(ctx context.Context) error{
		"EnableKeyRotation":    func(ctx context.Context) error { return svc.EnableKeyRotation(ctx, k.ID, 400) },
		"DisableKeyRotation":   func(ctx context.Context) error { return svc.DisableKeyRotation(ctx, k.ID) },
		"GetKeyRotationStatus": func(ctx context.Context) error { _, err := svc.GetKeyRotationStatus(ctx, k.ID); return err },
		"RotateKeyOnDemand":    func(ctx context.Context) error { _, err := svc.RotateKeyOnDemand(ctx, k.ID); return err },
		"ListKeyRotations": func(ctx context.Context) error {
			_, _, err := svc.ListKeyRotations(ctx, k.ID, "", "", 0)
			return err
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			must(t, op(as("rotator")))
			wantKind(t, op(as("app")), kms.ErrAccessDenied,
				"User: "+acct+":user/app is not authorized to perform: kms:"+name+" on resource: "+svc.KeyARN(k.ID)+" because no identity-based policy allows the kms:"+name+" action")
		})
	}
	t.Run("ConditionKey", func(t *testing.T) {
		// The explicit Deny binds even the account root; the default
		// period (365) is the value the condition sees when none is given.
		for _, who := range []string{"rotator", ""} {
			wantKind(t, svc.EnableKeyRotation(as(who), k.ID, 180), kms.ErrAccessDenied, "")
			must(t, svc.EnableKeyRotation(as(who), k.ID, 0))
			must(t, svc.EnableKeyRotation(as(who), k.ID, 365))
		}
	})
}
