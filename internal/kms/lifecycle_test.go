package kms_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/store"
)

func TestDeletionWindow(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	if err := svc.CreateAlias(ctx, "alias/doomed", id); err != nil {
		t.Fatal(err)
	}
	for _, days := range []int{6, 31} {
		_, err := svc.ScheduleKeyDeletion(ctx, id, days)
		wantKind(t, err, kms.ErrValidation, "PendingWindowInDays must be between 7 and 30")
	}
	k, err := svc.ScheduleKeyDeletion(ctx, id, 7)
	if err != nil {
		t.Fatal(err)
	}
	if k.State != kms.StatePendingDeletion || !k.DeletionDate.Equal(clk.Now().Add(7*24*time.Hour)) {
		t.Fatalf("after schedule: state %s, deletion %v", k.State, k.DeletionDate)
	}
	clk.Advance(7*24*time.Hour - time.Second)
	if n, err := svc.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("Sweep before the end of the window = %d, %v", n, err)
	}
	if _, err := svc.DescribeKey(ctx, id); err != nil {
		t.Fatalf("key gone early: %v", err)
	}
	clk.Advance(time.Second)
	if n, err := svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep at the end of the window = %d, %v", n, err)
	}
	_, err = svc.DescribeKey(ctx, id)
	wantKind(t, err, kms.ErrNotFound, fmt.Sprintf("Key '%s' does not exist", svc.KeyARN(id)))
	_, err = svc.DescribeKey(ctx, "alias/doomed")
	wantKind(t, err, kms.ErrNotFound, "")
}

func TestCancelDeletion(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	ext := mustCreate(t, svc, kms.CreateKeyInput{Origin: kms.OriginExternal})
	_, err := svc.CancelKeyDeletion(ctx, id)
	wantKind(t, err, kms.ErrInvalidState, svc.KeyARN(id)+" is not pending deletion.")
	for _, tc := range []struct {
		id, want string
	}{{id, kms.StateDisabled}, {ext, kms.StatePendingImport}} {
		if _, err := svc.ScheduleKeyDeletion(ctx, tc.id, 0); err != nil {
			t.Fatal(err)
		}
		k, err := svc.CancelKeyDeletion(ctx, tc.id)
		if err != nil || k.State != tc.want || !k.DeletionDate.IsZero() {
			t.Fatalf("after cancel: %+v, %v; want state %s", k, err, tc.want)
		}
	}
	clk.Advance(31 * 24 * time.Hour)
	if n, err := svc.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("Sweep after cancel = %d, %v", n, err)
	}
}

func TestCreateKeyRules(t *testing.T) {
	ctx := sysCtx()
	svc, _ := newService(t)
	k, err := svc.CreateKey(ctx, kms.CreateKeyInput{Description: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if k.KeySpec != "SYMMETRIC_DEFAULT" || k.KeyUsage != "ENCRYPT_DECRYPT" || k.Origin != "AWS_KMS" || k.State != "Enabled" || len(k.Materials) != 1 {
		t.Fatalf("defaults: %+v", k)
	}
	ext, err := svc.CreateKey(ctx, kms.CreateKeyInput{Origin: kms.OriginExternal})
	if err != nil || ext.State != kms.StatePendingImport || len(ext.Materials) != 0 {
		t.Fatalf("EXTERNAL: %+v, %v", ext, err)
	}
	for _, tc := range []struct {
		in   kms.CreateKeyInput
		kind error
		msg  string
	}{
		{kms.CreateKeyInput{KeyUsage: "SIGN_VERIFY"}, kms.ErrValidation, "KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT"},
		{kms.CreateKeyInput{KeySpec: "ML_DSA_44", KeyUsage: "SIGN_VERIFY", Origin: kms.OriginExternal}, kms.ErrUnsupported, "KeySpec ML_DSA_44 is not supported for Origin EXTERNAL"},
		{kms.CreateKeyInput{Origin: "AWS_CLOUDHSM"}, kms.ErrUnsupported, ""},
		{kms.CreateKeyInput{MultiRegion: true}, kms.ErrUnsupported, ""},
		{kms.CreateKeyInput{Tags: []store.Tag{{Key: "AWS:x"}}}, kms.ErrTag, "Tags beginning with aws: are reserved"},
	} {
		_, err := svc.CreateKey(ctx, tc.in)
		wantKind(t, err, tc.kind, tc.msg)
	}
}

func TestTags(t *testing.T) {
	ctx := sysCtx()
	svc, _ := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{Tags: []store.Tag{{Key: "b", Value: "1"}, {Key: "a", Value: "2"}}})
	if err := svc.TagResource(ctx, id, []store.Tag{{Key: "b", Value: "3"}, {Key: "c"}}); err != nil {
		t.Fatal(err)
	}
	wantKind(t, svc.TagResource(ctx, id, []store.Tag{{Key: "d"}, {Key: "d"}}), kms.ErrTag, "Duplicate tag keys")
	var many []store.Tag
	for i := range 48 {
		many = append(many, store.Tag{Key: fmt.Sprint("k", i)})
	}
	wantKind(t, svc.TagResource(ctx, id, many), kms.ErrTag, "Too many tags")
	if err := svc.UntagResource(ctx, id, []string{"a", "absent"}); err != nil {
		t.Fatal(err)
	}
	tags, next, err := svc.ListResourceTags(ctx, id, "", 1)
	if err != nil || len(tags) != 1 || tags[0] != (store.Tag{Key: "b", Value: "3"}) || next == "" {
		t.Fatalf("page 1 = %v, %q, %v", tags, next, err)
	}
	tags, next, err = svc.ListResourceTags(ctx, id, next, 1)
	if err != nil || len(tags) != 1 || tags[0].Key != "c" || next != "" {
		t.Fatalf("page 2 = %v, %q, %v", tags, next, err)
	}
}

func TestListPaging(t *testing.T) {
	ctx := sysCtx()
	svc, _ := newService(t)
	want := map[string]bool{}
	for i := range 5 {
		id := mustCreate(t, svc, kms.CreateKeyInput{})
		want[id] = true
		if err := svc.CreateAlias(ctx, fmt.Sprintf("alias/k%d", i), id); err != nil {
			t.Fatal(err)
		}
	}
	seen, marker := 0, ""
	for {
		keys, next, err := svc.ListKeys(ctx, marker, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if !want[k.ID] {
				t.Fatalf("unexpected or repeated key %s", k.ID)
			}
			delete(want, k.ID)
			seen++
		}
		if next == "" {
			break
		}
		marker = next
	}
	if seen != 5 {
		t.Fatalf("listed %d keys, want 5", seen)
	}
	_, _, err := svc.ListKeys(ctx, "bogus", 0)
	wantKind(t, err, kms.ErrInvalidMarker, "")
	aliases, next, err := svc.ListAliases(ctx, "", "", 3)
	if err != nil || len(aliases) != 3 || aliases[0].Name != "alias/k0" || next == "" {
		t.Fatalf("aliases page = %v, %q, %v", aliases, next, err)
	}
	// A marker of one listing is refused by another.
	_, keysMarker, err := svc.ListKeys(ctx, "", 1)
	if err != nil || keysMarker == "" {
		t.Fatal(keysMarker, err)
	}
	_, _, err = svc.ListAliases(ctx, "", keysMarker, 3)
	wantKind(t, err, kms.ErrInvalidMarker, "")
}
