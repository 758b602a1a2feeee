package kms_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// usedBy runs an Encrypt under key id as a request would, and returns the
// trace the api layer hands to RecordKeyUsage.
func usedBy(t *testing.T, svc *kms.Service, id string) *kms.Trace {
	t.Helper()
	ctx, trace := kms.WithTrace(sysCtx())
	if _, err := svc.Encrypt(ctx, id, []byte("x"), nil, kms.CryptoOptions{}); err != nil {
		t.Fatal(err)
	}
	return trace
}

func mustLastUsage(t *testing.T, svc *kms.Service, ref string) kms.KeyLastUsage {
	t.Helper()
	u, err := svc.GetKeyLastUsage(sysCtx(), ref)
	if err != nil {
		t.Fatalf("GetKeyLastUsage(%s): %v", ref, err)
	}
	return u
}

func TestKeyLastUsageRecording(t *testing.T) {
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	created := clk.Now()

	u := mustLastUsage(t, svc, id)
	if u.Usage != nil || u.KeyID != id || !u.CreationDate.Equal(created) || !u.TrackingStart.Equal(created) {
		t.Fatalf("new key: %+v, want no usage and tracking from creation %v", u, created)
	}

	trace := usedBy(t, svc, id)
	t1 := clk.Now().Add(time.Minute)
	t0 := clk.Now().Add(time.Second)
	for _, tc := range []struct {
		name, op, req string
		at            time.Time
		wantOp        string
		wantAt        time.Time
	}{
		{"Recorded", "Encrypt", "r1", t1, "Encrypt", t1},
		{"EarlierIgnored", "Decrypt", "r0", t0, "Encrypt", t1},
		{"UntrackedIgnored", "DescribeKey", "r2", t1.Add(time.Hour), "Encrypt", t1},
		{"LaterWins", "Sign", "r3", t1.Add(time.Second), "Sign", t1.Add(time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc.RecordKeyUsage(trace, tc.op, tc.req, "e-"+tc.req, tc.at)
			got := mustLastUsage(t, svc, id).Usage
			if got == nil || got.Operation != tc.wantOp || !got.Time.Equal(tc.wantAt) {
				t.Fatalf("usage = %+v, want %s at %v", got, tc.wantOp, tc.wantAt)
			}
		})
	}

	t.Run("OtherAccountIgnored", func(t *testing.T) {
		other := mustCreate(t, svc, kms.CreateKeyInput{})
		foreign := &kms.Trace{KeyARNs: []string{"arn:aws:kms:" + testRegion + ":999999999999:key/" + other}}
		svc.RecordKeyUsage(foreign, "Encrypt", "r", "e", clk.Now())
		if got := mustLastUsage(t, svc, other).Usage; got != nil {
			t.Fatalf("usage = %+v, want none", got)
		}
	})
}

// TestKeyLastUsagePersists: usage reaches the store with the sweep, not
// before, and a new service on the same store (a restart) answers it.
func TestKeyLastUsagePersists(t *testing.T) {
	dir := t.TempDir()
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	open := func() (*kms.Service, store.Store) {
		st, err := sqlite.Open(dir + "/trent.db")
		if err != nil {
			t.Fatal(err)
		}
		rk, err := rootkey.OpenSoftware(dir + "/root.key")
		if err != nil {
			t.Fatal(err)
		}
		svc, err := kms.New(context.Background(), kms.Config{Store: st, RootKey: rk, Region: testRegion, AccountID: testAccount, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		// The server sweeps at start, which fixes the tracking start.
		if _, err := svc.Sweep(sysCtx()); err != nil {
			t.Fatal(err)
		}
		return svc, st
	}
	svc, st := open()
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	clk.Advance(time.Hour)
	svc.RecordKeyUsage(usedBy(t, svc, id), "GenerateMac", "req", "evt", time.Time{})
	if _, err := st.GetKeyUsage(context.Background(), id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("before the sweep the store holds usage (err %v): the hot path must not write", err)
	}
	if _, err := svc.Sweep(sysCtx()); err != nil {
		t.Fatal(err)
	}
	st.Close()

	svc2, st2 := open()
	defer st2.Close()
	got := mustLastUsage(t, svc2, id)
	want := store.KeyUsage{KeyID: id, Operation: "GenerateMac", Time: clk.Now(), RequestID: "req", EventID: "evt"}
	if got.Usage == nil || *got.Usage != want {
		t.Fatalf("after restart usage = %+v, want %+v", got.Usage, want)
	}
	// Tracking began at the first start, when the key was created.
	if !got.TrackingStart.Equal(got.CreationDate) {
		t.Errorf("TrackingStart %v, want the creation date %v", got.TrackingStart, got.CreationDate)
	}
}

// TestKeyLastUsageOlderKey: a key created before tracking began reports
// the tracking start, later than its creation.
func TestKeyLastUsageOlderKey(t *testing.T) {
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	clk.Advance(24 * time.Hour)
	other := mustCreate(t, svc, kms.CreateKeyInput{})
	start := mustLastUsage(t, svc, other).TrackingStart // fixes tracking start now
	u := mustLastUsage(t, svc, id)
	if !u.TrackingStart.Equal(start) || !u.TrackingStart.After(u.CreationDate) {
		t.Fatalf("older key: tracking %v, creation %v; want tracking %v after creation", u.TrackingStart, u.CreationDate, start)
	}
}

func TestKeyLastUsageRefsAndStates(t *testing.T) {
	svc, _ := newService(t)
	for _, tc := range []struct {
		name    string
		prepare func(id string) error
	}{
		{"Enabled", func(string) error { return nil }},
		{"Disabled", func(id string) error { return svc.DisableKey(sysCtx(), id) }},
		{"PendingDeletion", func(id string) error { _, err := svc.ScheduleKeyDeletion(sysCtx(), id, 7); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := mustCreate(t, svc, kms.CreateKeyInput{})
			if err := tc.prepare(id); err != nil {
				t.Fatal(err)
			}
			mustLastUsage(t, svc, id)
			mustLastUsage(t, svc, svc.KeyARN(id))
		})
	}
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	if err := svc.CreateAlias(sysCtx(), "alias/used", id); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ ref, msg string }{
		{"alias/used", "Invalid keyId 'alias/used'"},
		{"00000000-0000-4000-8000-000000000000", "Key '" + svc.KeyARN("00000000-0000-4000-8000-000000000000") + "' does not exist"},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			_, err := svc.GetKeyLastUsage(sysCtx(), tc.ref)
			wantKind(t, err, kms.ErrNotFound, tc.msg)
		})
	}
}

func TestTrailingDaysWithoutKeyUsage(t *testing.T) {
	start := time.Date(2026, 4, 23, 0, 0, 0, 0, time.UTC)
	used := &store.KeyUsage{Time: start.Add(10 * 24 * time.Hour)}
	for _, tc := range []struct {
		name string
		u    kms.KeyLastUsage
		now  time.Time
		want int
	}{
		{"UsedRoundsDown", kms.KeyLastUsage{TrackingStart: start, Usage: used}, used.Time.Add(89*24*time.Hour + 23*time.Hour), 89},
		{"NeverUsedSinceStart", kms.KeyLastUsage{TrackingStart: start}, start.Add(91 * 24 * time.Hour), 91},
		{"ClockBehind", kms.KeyLastUsage{TrackingStart: start, Usage: used}, start, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := kms.TrailingDaysWithoutKeyUsage(tc.u, tc.now); got != tc.want {
				t.Errorf("= %d, want %d", got, tc.want)
			}
		})
	}
}

// TestTrailingDaysCondition: AWS's example policy refuses DisableKey and
// ScheduleKeyDeletion for keys used in the last 90 days.
func TestTrailingDaysCondition(t *testing.T) {
	svc, clk := newService(t)
	pol := `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Deny","Principal":{"AWS":"*"},"Action":["kms:DisableKey","kms:ScheduleKeyDeletion"],"Resource":"*",
  "Condition":{"NumericLessThanEquals":{"kms:TrailingDaysWithoutKeyUsage":"90"}}}]}`
	if _, err := svc.Sweep(sysCtx()); err != nil { // as at start: tracking begins
		t.Fatal(err)
	}
	used := mustCreate(t, svc, kms.CreateKeyInput{Policy: pol})
	unused := mustCreate(t, svc, kms.CreateKeyInput{Policy: pol})
	clk.Advance(80 * 24 * time.Hour)
	svc.RecordKeyUsage(usedBy(t, svc, used), "Encrypt", "r", "e", time.Time{})
	disable := func(id string) error { return svc.DisableKey(as(""), id) }
	schedule := func(id string) error { _, err := svc.ScheduleKeyDeletion(as(""), id, 7); return err }

	for _, tc := range []struct {
		name    string
		advance time.Duration
		op      func(string) error
		key     string
		denied  bool
	}{
		{"UsedToday", 0, disable, used, true},
		{"UnusedForEightyDays", 0, schedule, unused, true},
		{"UnusedForNinetyOneDays", 11 * 24 * time.Hour, schedule, unused, false},
		{"UsedNinetyDaysAgo", 79 * 24 * time.Hour, disable, used, true},
		{"UsedNinetyOneDaysAgo", 24 * time.Hour, disable, used, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk.Advance(tc.advance)
			err := tc.op(tc.key)
			if tc.denied {
				wantKind(t, err, kms.ErrAccessDenied, "")
			} else if err != nil {
				t.Fatalf("err = %v, want allowed", err)
			}
		})
	}
}

// failingUsageStore refuses PutKeyUsages while fail is set.
type failingUsageStore struct {
	store.Store
	fail bool
}

func (f *failingUsageStore) PutKeyUsages(ctx context.Context, us []store.KeyUsage) error {
	if f.fail {
		return errors.New("disk full")
	}
	return f.Store.PutKeyUsages(ctx, us)
}

// TestKeyUsageFlushFailure: usage a failed flush could not write stays
// buffered (still answered) and the next flush writes it.
func TestKeyUsageFlushFailure(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	st, err := sqlite.Open(t.TempDir() + "/trent.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fs := &failingUsageStore{Store: st}
	rk, err := rootkey.OpenSoftware(t.TempDir() + "/root.key")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := kms.New(context.Background(), kms.Config{Store: fs, RootKey: rk, Region: testRegion, AccountID: testAccount, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	svc.RecordKeyUsage(usedBy(t, svc, id), "Encrypt", "r", "e", time.Time{})
	fs.fail = true
	if err := svc.FlushKeyUsage(sysCtx()); err == nil {
		t.Fatal("flush succeeded on a failing store")
	}
	if u := mustLastUsage(t, svc, id).Usage; u == nil || u.RequestID != "r" {
		t.Fatalf("after a failed flush usage = %+v, want the buffered one", u)
	}
	// A failing flush does not hold up the sweep's due work.
	doomed := mustCreate(t, svc, kms.CreateKeyInput{})
	if _, err := svc.ScheduleKeyDeletion(sysCtx(), doomed, 7); err != nil {
		t.Fatal(err)
	}
	clk.Advance(8 * 24 * time.Hour)
	if n, err := svc.Sweep(sysCtx()); n != 1 || err == nil {
		t.Fatalf("Sweep with a failing flush = %d, %v; want the key deleted and the flush's error", n, err)
	}
	fs.fail = false
	if err := svc.FlushKeyUsage(sysCtx()); err != nil {
		t.Fatal(err)
	}
	if u, err := st.GetKeyUsage(context.Background(), id); err != nil || u.RequestID != "r" {
		t.Fatalf("stored usage = %+v, %v; want the one the failed flush kept", u, err)
	}
}
