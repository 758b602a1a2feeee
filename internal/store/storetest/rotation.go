package storetest

import (
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// rotating returns an Enabled key whose automatic rotation falls due at
// next, with an original and a rotated material.
func rotating(id string, next time.Time) *store.Key {
	k := minimalKey(id)
	k.RotationPeriodInDays = 90
	k.NextRotation = next
	k.Materials = []store.Material{
		{ID: materialID(1), Sealed: []byte("first"), State: "NON_CURRENT"},
		{ID: materialID(2), Sealed: []byte("second"), State: "CURRENT",
			RotatedAt: next.Add(-90 * 24 * time.Hour), RotationType: "ON_DEMAND"},
	}
	return k
}

// testRotation covers the rotation fields: they round-trip exactly, and
// KeysDue returns a key whose automatic rotation is due while, and only
// while, the key is Enabled — a Disabled or PendingDeletion key keeps its
// date and falls due again the moment it is Enabled.
func testRotation(t *testing.T, open func(t *testing.T) store.Store) {
	now := t0
	s := open(t)
	want := rotating(keyID(1), now.Add(-time.Hour))
	disabled := rotating(keyID(2), now.Add(-2*time.Hour))
	disabled.State = "Disabled"
	pending := rotating(keyID(3), now.Add(-3*time.Hour))
	pending.State, pending.DeletionDate, pending.PendingWindowInDays = "PendingDeletion", now.Add(24*time.Hour), 7
	stale := rotating(keyID(4), now.Add(-4*time.Hour))
	stale.RotationPeriodInDays = 0 // rotation disabled: a leftover date is never due
	mustCreate(t, s, want, disabled, pending, stale,
		rotating(keyID(5), now.Add(time.Hour)),
		rotating(keyID(6), now), // due exactly now: "not after now"
	)

	t.Run("RoundTrip", func(t *testing.T) {
		got := mustGet(t, s, keyID(1))
		var d diff
		if got.RotationPeriodInDays != 90 {
			d.add("RotationPeriodInDays", got.RotationPeriodInDays, 90)
		}
		d.time("NextRotation", got.NextRotation, want.NextRotation)
		if len(got.Materials) != 2 {
			t.Fatalf("Materials = %+v, want 2", got.Materials)
		}
		for i, m := range got.Materials {
			d.time("Materials.RotatedAt", m.RotatedAt, want.Materials[i].RotatedAt)
			d.str("Materials.RotationType", m.RotationType, want.Materials[i].RotationType)
			d.str("Materials.State", m.State, want.Materials[i].State)
		}
		d.report(t, "rotating key")
		if !mustGet(t, s, keyID(4)).NextRotation.Equal(stale.NextRotation) {
			t.Errorf("NextRotation of a key without rotation not kept")
		}
	})

	t.Run("Due", func(t *testing.T) {
		checkDue(t, s, now, 100, []string{keyID(1), keyID(6)})
		checkDue(t, s, now.Add(2*time.Hour), 100, []string{keyID(1), keyID(6), keyID(5)})
	})

	for _, tc := range []struct {
		name   string
		id     string
		update func(*store.Key)
		want   []string
	}{
		{"Enabled", keyID(2), func(k *store.Key) { k.State = "Enabled" },
			[]string{keyID(2), keyID(1), keyID(6)}},
		{"Rotated", keyID(1), func(k *store.Key) {
			k.NextRotation = k.NextRotation.Add(90 * 24 * time.Hour)
			k.Materials[1].State = "NON_CURRENT"
			k.Materials = append(k.Materials, store.Material{ID: materialID(3), Sealed: []byte("third"),
				State: "CURRENT", RotatedAt: now, RotationType: "AUTOMATIC"})
		}, []string{keyID(2), keyID(6)}},
		{"RotationDisabled", keyID(2), func(k *store.Key) { k.RotationPeriodInDays, k.NextRotation = 0, time.Time{} },
			[]string{keyID(6)}},
		{"DeletionCancelled", keyID(3), func(k *store.Key) {
			k.State, k.DeletionDate, k.PendingWindowInDays = "Disabled", time.Time{}, 0
		}, []string{keyID(6)}},
		{"EnabledAfterCancel", keyID(3), func(k *store.Key) { k.State = "Enabled" },
			[]string{keyID(3), keyID(6)}},
		{"RotationEnabledLater", keyID(4), func(k *store.Key) { k.RotationPeriodInDays = 365 },
			[]string{keyID(4), keyID(3), keyID(6)}},
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

	t.Run("RotatedMaterialKept", func(t *testing.T) {
		got := mustGet(t, s, keyID(1))
		if len(got.Materials) != 3 || got.Materials[2].RotationType != "AUTOMATIC" ||
			!got.Materials[2].RotatedAt.Equal(now) || got.Materials[1].State != "NON_CURRENT" {
			t.Fatalf("after rotation: %+v", got.Materials)
		}
	})
}
