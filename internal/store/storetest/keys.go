package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// testKeys covers CreateKey, GetKey, UpdateKey and DeleteKey.
func testKeys(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			key  *store.Key
		}{
			{"Minimal", minimalKey(keyID(1))},
			{"Full", fullKey(keyID(2))},
			{"OtherZone", inZone(fullKey(keyID(3)), time.FixedZone("UTC-3:30", -(3*3600+1800)))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := open(t)
				in := tc.key
				in.Version = 42 // ignored on input
				want := cloneKey(in)
				if err := s.CreateKey(t.Context(), in); err != nil {
					t.Fatalf("CreateKey: %v", err)
				}
				checkVersion(t, "CreateKey input", in, 1)
				got := mustGet(t, s, want.ID)
				checkKey(t, "GetKey", got, want)
				checkVersion(t, "GetKey", got, 1)
			})
		}
	})

	t.Run("CreateDuplicate", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, fullKey(keyID(1)))
		dup := minimalKey(keyID(1))
		dup.Description = "must not overwrite"
		checkErr(t, "second CreateKey", s.CreateKey(t.Context(), dup), store.ErrExists)
		got := mustGet(t, s, keyID(1))
		checkKey(t, "GetKey after duplicate", got, fullKey(keyID(1)))
		checkVersion(t, "GetKey after duplicate", got, 1)
	})

	t.Run("Copies", func(t *testing.T) {
		s := open(t)
		in := fullKey(keyID(1))
		mustCreate(t, s, in)
		mutateKey(in) // the store must not have kept the caller's key

		got := mustGet(t, s, keyID(1))
		mutateKey(got) // nor hand out its own
		checkKey(t, "GetKey after mutating input and first result", mustGet(t, s, keyID(1)), fullKey(keyID(1)))

		var inFn *store.Key
		upd, err := s.UpdateKey(t.Context(), keyID(1), func(k *store.Key) error {
			inFn = k
			k.Description = "updated"
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateKey: %v", err)
		}
		mutateKey(inFn)
		mutateKey(upd)
		want := fullKey(keyID(1))
		want.Description = "updated"
		checkKey(t, "GetKey after mutating UpdateKey's keys", mustGet(t, s, keyID(1)), want)
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)))
		for _, tc := range []struct {
			name string
			call func(id string) error
		}{
			{"GetKey", func(id string) error {
				_, err := s.GetKey(t.Context(), id)
				return err
			}},
			{"UpdateKey", func(id string) error {
				_, err := s.UpdateKey(t.Context(), id, func(*store.Key) error {
					t.Error("UpdateKey called fn for an unknown key")
					return nil
				})
				return err
			}},
			{"DeleteKey", func(id string) error { return s.DeleteKey(t.Context(), id) }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				checkErr(t, tc.name, tc.call(keyID(2)), store.ErrNotFound)
				checkErr(t, tc.name+` ""`, tc.call(""), store.ErrNotFound)
			})
		}
		checkKey(t, "other key", mustGet(t, s, keyID(1)), minimalKey(keyID(1)))
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)))
		want := fullKey(keyID(1))
		var seen *store.Key
		got, err := s.UpdateKey(t.Context(), keyID(1), func(k *store.Key) error {
			seen = cloneKey(k)
			*k = *cloneKey(want)
			k.Version = 99 // ignored
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateKey: %v", err)
		}
		checkKey(t, "fn argument", seen, minimalKey(keyID(1)))
		checkKey(t, "UpdateKey result", got, want)
		checkVersion(t, "UpdateKey result", got, 2)
		stored := mustGet(t, s, keyID(1))
		checkKey(t, "GetKey after update", stored, want)
		checkVersion(t, "GetKey after update", stored, 2)

		got, err = s.UpdateKey(t.Context(), keyID(1), func(k *store.Key) error {
			k.Tags = append(k.Tags, store.Tag{Key: "new", Value: "tag"})
			return nil
		})
		if err != nil {
			t.Fatalf("second UpdateKey: %v", err)
		}
		want.Tags = append(want.Tags, store.Tag{Key: "new", Value: "tag"})
		checkKey(t, "second UpdateKey result", got, want)
		checkVersion(t, "second UpdateKey result", got, 3)
		checkVersion(t, "GetKey after second update", mustGet(t, s, keyID(1)), 3)
	})

	t.Run("UpdateFnError", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, fullKey(keyID(1)))
		sentinel := errors.New("fn refused")
		for _, tc := range []struct {
			name string
			err  error
		}{
			{"Sentinel", sentinel},
			{"Wrapped", fmt.Errorf("context: %w", sentinel)},
			{"Typed", &fnError{"typed"}},
			{"StoreError", store.ErrNotFound}, // returned as is, not rewrapped
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.UpdateKey(t.Context(), keyID(1), func(k *store.Key) error {
					mutateKey(k) // partial changes must not be written
					return tc.err
				})
				if err != tc.err {
					t.Fatalf("UpdateKey error = %#v, want fn's error %#v unchanged", err, tc.err)
				}
				got := mustGet(t, s, keyID(1))
				checkKey(t, "GetKey after failed update", got, fullKey(keyID(1)))
				checkVersion(t, "GetKey after failed update", got, 1)
			})
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, fullKey(keyID(1)), minimalKey(keyID(2)))
		mustCreateAlias(t, s, alias("alias/one", keyID(1)), alias("alias/two", keyID(1)), alias("alias/other", keyID(2)))
		if err := s.DeleteKey(t.Context(), keyID(1)); err != nil {
			t.Fatalf("DeleteKey: %v", err)
		}
		_, err := s.GetKey(t.Context(), keyID(1))
		checkErr(t, "GetKey after delete", err, store.ErrNotFound)
		checkErr(t, "second DeleteKey", s.DeleteKey(t.Context(), keyID(1)), store.ErrNotFound)
		for _, name := range []string{"alias/one", "alias/two"} {
			_, err := s.GetAlias(t.Context(), name)
			checkErr(t, "GetAlias("+name+") after DeleteKey", err, store.ErrNotFound)
		}
		all, err := s.ListAliases(t.Context(), "", "", 100)
		checkErr(t, "ListAliases", err, nil)
		if got := names(all); len(got) != 1 || got[0] != "alias/other" {
			t.Errorf("aliases after DeleteKey = %q, want [alias/other]", got)
		}
		checkKey(t, "other key", mustGet(t, s, keyID(2)), minimalKey(keyID(2)))

		// The ID can be used again, and starts again at version 1.
		again := minimalKey(keyID(1))
		mustCreate(t, s, again)
		checkVersion(t, "re-created key", mustGet(t, s, keyID(1)), 1)
	})
}

type fnError struct{ msg string }

func (e *fnError) Error() string { return e.msg }

// mutateKey changes every mutable part of k in place, slices included.
func mutateKey(k *store.Key) {
	k.Description = "mutated"
	k.State = "Disabled"
	k.CreatedAt = k.CreatedAt.Add(1)
	if len(k.Tags) > 0 {
		k.Tags[0].Value = "mutated"
	}
	k.Tags = append(k.Tags, store.Tag{Key: "mutated"})
	for i := range k.Materials {
		m := &k.Materials[i]
		m.State = "mutated"
		if len(m.Sealed) > 0 {
			m.Sealed[0] ^= 0xff
		}
	}
	k.Materials = append(k.Materials, store.Material{ID: materialID(99)})
}

// inZone returns k with every timestamp in loc: the store must return the
// same instants, in UTC.
func inZone(k *store.Key, loc *time.Location) *store.Key {
	k.CreatedAt = k.CreatedAt.In(loc)
	k.DeletionDate = k.DeletionDate.In(loc)
	if k.Import != nil {
		k.Import.ValidTo = k.Import.ValidTo.In(loc)
	}
	for i := range k.Materials {
		m := &k.Materials[i]
		m.ImportedAt, m.ValidTo = m.ImportedAt.In(loc), m.ValidTo.In(loc)
	}
	return k
}

// cloneKey returns a deep copy of k.
func cloneKey(k *store.Key) *store.Key {
	c := *k
	c.Tags = append([]store.Tag(nil), k.Tags...)
	c.Materials = append([]store.Material(nil), k.Materials...)
	for i := range c.Materials {
		c.Materials[i].Sealed = append([]byte(nil), k.Materials[i].Sealed...)
	}
	return &c
}
