package kms_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/kms"
)

const day = 24 * time.Hour

// rotationStatus returns the key's rotation status or fails t.
func rotationStatus(t *testing.T, svc *kms.Service, id string) kms.RotationStatus {
	t.Helper()
	st, err := svc.GetKeyRotationStatus(sysCtx(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// materialCount returns how many materials the key has and its current one.
func materialCount(t *testing.T, svc *kms.Service, id string) (int, string) {
	t.Helper()
	k, err := svc.DescribeKey(sysCtx(), id)
	if err != nil {
		t.Fatal(err)
	}
	return len(k.Materials), kms.CurrentMaterial(k).ID
}

func sweep(t *testing.T, svc *kms.Service, want int) {
	t.Helper()
	if n, err := svc.Sweep(sysCtx()); err != nil || n != want {
		t.Fatalf("Sweep = %d, %v; want %d", n, err, want)
	}
}

func TestAutomaticRotationAtThePeriod(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	enabledAt := clk.Now()
	if st := rotationStatus(t, svc, id); st.Enabled || st.Period != 0 || !st.Next.IsZero() || st.KeyARN != svc.KeyARN(id) {
		t.Fatalf("new key: %+v", st)
	}
	if err := svc.EnableKeyRotation(ctx, id, 90); err != nil {
		t.Fatal(err)
	}
	if st := rotationStatus(t, svc, id); !st.Enabled || st.Period != 90 || !st.Next.Equal(enabledAt.Add(90*day)) {
		t.Fatalf("after EnableKeyRotation(90): %+v", st)
	}

	var blobs [][]byte
	seen := map[string]bool{}
	for round := 1; round <= 3; round++ {
		enc, err := svc.Encrypt(ctx, id, fmt.Appendf(nil, "round %d", round), nil, kms.CryptoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		blobs, seen[enc.MaterialID] = append(blobs, enc.Blob), true
		clk.Advance(90*day - time.Second)
		sweep(t, svc, 0)
		clk.Advance(time.Second)
		sweep(t, svc, 1)
		sweep(t, svc, 0) // done once
		n, cur := materialCount(t, svc, id)
		if n != round+1 || seen[cur] {
			t.Fatalf("round %d: %d materials, current %s (seen: %v)", round, n, cur, seen[cur])
		}
		if st := rotationStatus(t, svc, id); !st.Next.Equal(enabledAt.Add(time.Duration(round+1) * 90 * day)) {
			t.Fatalf("round %d: next rotation %v", round, st.Next)
		}
	}
	// Every ciphertext decrypts, each with the material that made it.
	for i, b := range blobs {
		res, err := svc.Decrypt(ctx, "", b, nil, kms.CryptoOptions{})
		if err != nil || string(res.Plaintext) != fmt.Sprintf("round %d", i+1) {
			t.Fatalf("blob %d: %q, %v", i, res.Plaintext, err)
		}
		if !seen[res.MaterialID] {
			t.Fatalf("blob %d decrypted by material %s, not one that encrypted", i, res.MaterialID)
		}
	}
	rot, _, err := svc.ListKeyRotations(ctx, id, "", "", 0)
	if err != nil || len(rot) != 3 {
		t.Fatalf("ListKeyRotations = %+v, %v", rot, err)
	}
	for i, r := range rot {
		if r.RotationType != kms.RotationAutomatic || !r.RotationDate.Equal(enabledAt.Add(time.Duration(i+1)*90*day)) {
			t.Fatalf("rotation %d: %+v", i, r)
		}
	}
}

func TestRotationScheduleRules(t *testing.T) {
	ctx := sysCtx()
	for _, tc := range []struct {
		name string
		// act runs 100 days after EnableKeyRotation(180) on a fresh key.
		act      func(t *testing.T, svc *kms.Service, id string)
		wantNext time.Duration // from enabling; 0: rotation disabled
		due      bool          // the sweep rotates at once
	}{
		{"PeriodShortened", func(t *testing.T, svc *kms.Service, id string) {
			must(t, svc.EnableKeyRotation(ctx, id, 90)) // anchor + 90 days has passed
		}, 90 * day, true},
		{"PeriodLengthened", func(t *testing.T, svc *kms.Service, id string) {
			must(t, svc.EnableKeyRotation(ctx, id, 365))
		}, 365 * day, false},
		{"DefaultPeriod", func(t *testing.T, svc *kms.Service, id string) {
			must(t, svc.EnableKeyRotation(ctx, id, 0))
		}, 365 * day, false},
		{"DisabledThenEnabled", func(t *testing.T, svc *kms.Service, id string) {
			must(t, svc.DisableKeyRotation(ctx, id))
			must(t, svc.EnableKeyRotation(ctx, id, 180)) // a new schedule from now
		}, 280 * day, false},
		{"Disabled", func(t *testing.T, svc *kms.Service, id string) {
			must(t, svc.DisableKeyRotation(ctx, id))
		}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, clk := newService(t)
			id := mustCreate(t, svc, kms.CreateKeyInput{})
			start := clk.Now()
			must(t, svc.EnableKeyRotation(ctx, id, 180))
			clk.Advance(100 * day)
			tc.act(t, svc, id)
			st := rotationStatus(t, svc, id)
			if tc.wantNext == 0 && (st.Enabled || !st.Next.IsZero()) ||
				tc.wantNext != 0 && !st.Next.Equal(start.Add(tc.wantNext)) {
				t.Fatalf("status %+v, want next at +%v", st, tc.wantNext)
			}
			want := 0
			if tc.due {
				want = 1
			}
			sweep(t, svc, want)
			if tc.due {
				// Rotated at once; the schedule stays aligned to the anchor.
				if st := rotationStatus(t, svc, id); !st.Next.Equal(start.Add(180 * day)) {
					t.Fatalf("after the catch-up rotation: next %v", st.Next)
				}
			}
		})
	}
}

func TestMissedRotationWhileDisabledOrPendingDeletion(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	disabled := mustCreate(t, svc, kms.CreateKeyInput{})
	deleting := mustCreate(t, svc, kms.CreateKeyInput{})
	start := clk.Now()
	for _, id := range []string{disabled, deleting} {
		must(t, svc.EnableKeyRotation(ctx, id, 90))
	}
	must(t, svc.DisableKey(ctx, disabled))
	if _, err := svc.ScheduleKeyDeletion(ctx, deleting, 30); err != nil {
		t.Fatal(err)
	}
	// Disabled: the status is unchanged. PendingDeletion: reported off.
	if st := rotationStatus(t, svc, disabled); !st.Enabled || st.Period != 90 {
		t.Fatalf("disabled key: %+v", st)
	}
	if st := rotationStatus(t, svc, deleting); st.Enabled || st.Period != 0 || !st.Next.IsZero() {
		t.Fatalf("key pending deletion: %+v", st)
	}
	clk.Advance(25 * day)
	if _, err := svc.CancelKeyDeletion(ctx, deleting); err != nil {
		t.Fatal(err)
	}
	if st := rotationStatus(t, svc, deleting); !st.Enabled || !st.Next.Equal(start.Add(90*day)) {
		t.Fatalf("after CancelKeyDeletion the previous status returns: %+v", st)
	}
	clk.Advance(100 * day) // both dates pass while the keys cannot rotate
	sweep(t, svc, 0)
	for _, id := range []string{disabled, deleting} {
		if n, _ := materialCount(t, svc, id); n != 1 {
			t.Fatalf("%s rotated while not Enabled", id)
		}
		must(t, svc.EnableKey(ctx, id))
	}
	sweep(t, svc, 2) // the missed date rotates at once
	for _, id := range []string{disabled, deleting} {
		if n, _ := materialCount(t, svc, id); n != 2 {
			t.Fatalf("%s: %d materials after enabling, want 2", id, n)
		}
		if st := rotationStatus(t, svc, id); !st.Next.Equal(start.Add(180 * day)) {
			t.Fatalf("%s: next %v, want the schedule's next date", id, st.Next)
		}
	}
}

func TestRotationPeriodBounds(t *testing.T) {
	svc, _ := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	for _, tc := range []struct {
		days int
		msg  string
	}{
		{89, "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90"},
		{2561, "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560"},
	} {
		wantKind(t, svc.EnableKeyRotation(sysCtx(), id, tc.days), kms.ErrValidation, tc.msg)
	}
	for _, days := range []int{90, 2560} {
		must(t, svc.EnableKeyRotation(sysCtx(), id, days))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The rotation rows of AWS's key-state table, replayed by TestKeyStateTable
// on symmetric keys of origin AWS_KMS (and, in the PendingImport column, on
// an EXTERNAL key without material). Footnote 7 concerns asymmetric, HMAC
// and custom-key-store keys, so "?[7]" is OK here; footnote 6 is
// UnsupportedOperationException for a key pending import.
func init() {
	stateOps["EnableKeyRotation"] = func(ctx context.Context, s *kms.Service, f fixture) error {
		return s.EnableKeyRotation(ctx, f.id, 0)
	}
	stateOps["DisableKeyRotation"] = func(ctx context.Context, s *kms.Service, f fixture) error {
		return s.DisableKeyRotation(ctx, f.id)
	}
	stateOps["GetKeyRotationStatus"] = func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.GetKeyRotationStatus(ctx, f.id)
		return err
	}
	stateOps["RotateKeyOnDemand"] = func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.RotateKeyOnDemand(ctx, f.id)
		return err
	}
	stateOps["ListKeyRotations"] = func(ctx context.Context, s *kms.Service, f fixture) error {
		_, _, err := s.ListKeyRotations(ctx, f.id, kms.IncludeAllMaterial, "", 0)
		return err
	}
	stateKinds["?[7]"] = nil
	stateKinds["X[1]/[7]"] = kms.ErrDisabled
	stateKinds["X[3]/[7]"] = kms.ErrInvalidState
	stateKinds["X[6]"] = kms.ErrUnsupported
}
