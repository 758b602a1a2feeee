package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// pendingDeletion returns a key pending deletion at when.
func pendingDeletion(id string, when time.Time) *store.Key {
	k := minimalKey(id)
	k.State = "PendingDeletion"
	k.DeletionDate = when
	k.PendingWindowInDays = 7
	return k
}

// expiring returns a key of origin EXTERNAL whose one imported material
// expires at validTo under model.
func expiring(id, model string, validTo time.Time, deleted bool) *store.Key {
	k := minimalKey(id)
	k.Origin = "EXTERNAL"
	m := store.Material{
		ID:              materialID(1),
		Sealed:          []byte("sealed"),
		State:           "CURRENT",
		ImportedAt:      t0.Add(-24 * time.Hour),
		ExpirationModel: model,
		ValidTo:         validTo,
	}
	if deleted {
		m.Sealed, m.Deleted = nil, true
	}
	k.Materials = []store.Material{m}
	return k
}

// testKeysDue covers KeysDue and the due index's tracking of every write.
func testKeysDue(t *testing.T, open func(t *testing.T) store.Store) {
	const expires, never = "KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"
	now := t0
	s := open(t)

	disabled := pendingDeletion(keyID(7), now.Add(-4*time.Hour))
	disabled.State = "Disabled" // a deletion date without PendingDeletion is not due
	both := pendingDeletion(keyID(10), now.Add(2*time.Hour))
	both.Materials = expiring("", expires, now.Add(-10*time.Minute), false).Materials
	mustCreate(t, s,
		pendingDeletion(keyID(1), now.Add(-time.Hour)),
		pendingDeletion(keyID(2), now.Add(-2*time.Hour)),
		pendingDeletion(keyID(3), now.Add(time.Hour)),
		expiring(keyID(4), expires, now.Add(-30*time.Minute), false),
		expiring(keyID(5), expires, now.Add(-3*time.Hour), true),
		expiring(keyID(6), never, now.Add(-5*time.Hour), false),
		disabled,
		pendingDeletion(keyID(8), now), // due exactly now: "not after now"
		minimalKey(keyID(9)),
		both, // due at its material's expiry, before its deletion date
		expiring(keyID(11), expires, now.Add(24*time.Hour), false),
	)

	for _, tc := range []struct {
		name  string
		now   time.Time
		limit int
		want  []string
	}{
		{"Due", now, 100, []string{keyID(2), keyID(1), keyID(4), keyID(10), keyID(8)}},
		{"Limit", now, 2, []string{keyID(2), keyID(1)}},
		{"Limit1", now, 1, []string{keyID(2)}},
		{"NothingYet", now.Add(-3 * time.Hour), 100, nil},
		{"Later", now.Add(90 * time.Minute), 100, []string{keyID(2), keyID(1), keyID(4), keyID(10), keyID(8), keyID(3)}},
		{"MuchLater", now.Add(48 * time.Hour), 100,
			[]string{keyID(2), keyID(1), keyID(4), keyID(10), keyID(8), keyID(3), keyID(11)}},
		{"OtherZone", now.In(time.FixedZone("UTC+5", 5*3600)), 100, []string{keyID(2), keyID(1), keyID(4), keyID(10), keyID(8)}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkDue(t, s, tc.now, tc.limit, tc.want) })
	}

	// The index follows every write. Each step changes one key; the
	// expected result is for now, without limit.
	for _, tc := range []struct {
		name   string
		id     string
		update func(*store.Key)
		want   []string
	}{
		{"CancelDeletion", keyID(1), func(k *store.Key) {
			k.State, k.DeletionDate, k.PendingWindowInDays = "Disabled", time.Time{}, 0
		}, []string{keyID(2), keyID(4), keyID(10), keyID(8)}},
		{"LeavePendingDeletionOnly", keyID(2), func(k *store.Key) {
			k.State = "Disabled" // DeletionDate left set: still not due
		}, []string{keyID(4), keyID(10), keyID(8)}},
		{"ScheduleDeletion", keyID(9), func(k *store.Key) {
			k.State, k.DeletionDate = "PendingDeletion", now.Add(-5*time.Hour)
		}, []string{keyID(9), keyID(4), keyID(10), keyID(8)}},
		{"MaterialDeleted", keyID(4), func(k *store.Key) {
			k.Materials[0].Deleted, k.Materials[0].Sealed = true, nil
		}, []string{keyID(9), keyID(10), keyID(8)}},
		{"MaterialReimported", keyID(5), func(k *store.Key) {
			k.Materials[0].Deleted, k.Materials[0].Sealed = false, []byte("again")
			k.Materials[0].ValidTo = now.Add(-6 * time.Hour)
		}, []string{keyID(5), keyID(9), keyID(10), keyID(8)}},
		{"MaterialNoLongerExpires", keyID(10), func(k *store.Key) {
			k.Materials[0].ExpirationModel = never
		}, []string{keyID(5), keyID(9), keyID(8)}},
		{"DeletionPostponed", keyID(8), func(k *store.Key) {
			k.DeletionDate = now.Add(time.Minute)
		}, []string{keyID(5), keyID(9)}},
		{"DeletionBroughtForward", keyID(3), func(k *store.Key) {
			k.DeletionDate = now.Add(-7 * time.Hour)
		}, []string{keyID(3), keyID(5), keyID(9)}},
		{"ImportParamsExpired", keyID(11), func(k *store.Key) {
			k.Import = &store.ImportParams{ID: "p", ValidTo: now.Add(-8 * time.Hour)}
		}, []string{keyID(11), keyID(3), keyID(5), keyID(9)}},
		{"ImportParamsUsed", keyID(11), func(k *store.Key) {
			k.Import = nil
		}, []string{keyID(3), keyID(5), keyID(9)}},
	} {
		t.Run("Update/"+tc.name, func(t *testing.T) {
			if _, err := s.UpdateKey(t.Context(), tc.id, func(k *store.Key) error {
				tc.update(k)
				return nil
			}); err != nil {
				t.Fatalf("UpdateKey: %v", err)
			}
			checkDue(t, s, now, 100, tc.want)
		})
	}

	t.Run("FailedUpdate", func(t *testing.T) {
		_, err := s.UpdateKey(t.Context(), keyID(3), func(k *store.Key) error {
			k.State = "Enabled"
			return errFailed
		})
		if err != errFailed {
			t.Fatalf("UpdateKey error = %v, want %v", err, errFailed)
		}
		checkDue(t, s, now, 100, []string{keyID(3), keyID(5), keyID(9)})
	})

	t.Run("Delete", func(t *testing.T) {
		if err := s.DeleteKey(t.Context(), keyID(5)); err != nil {
			t.Fatalf("DeleteKey: %v", err)
		}
		checkDue(t, s, now, 100, []string{keyID(3), keyID(9)})
	})
}

var errFailed = &fnError{"update failed"}

func checkDue(t *testing.T, s store.Store, now time.Time, limit int, want []string) {
	t.Helper()
	got, err := s.KeysDue(t.Context(), now, limit)
	checkErr(t, "KeysDue", err, nil)
	if !slices.Equal(got, want) {
		t.Errorf("KeysDue(%v, %d) = %q, want %q", now, limit, got, want)
	}
}
