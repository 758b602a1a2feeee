package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// alias returns an alias of keyID created at t0.
func alias(name, keyID string) store.Alias {
	return store.Alias{Name: name, KeyID: keyID, CreatedAt: t0, UpdatedAt: t0}
}

// mustCreateAlias creates every alias or fails t.
func mustCreateAlias(t *testing.T, s store.Store, aliases ...store.Alias) {
	t.Helper()
	for _, a := range aliases {
		if err := s.CreateAlias(t.Context(), a); err != nil {
			t.Fatalf("CreateAlias(%s): %v", a.Name, err)
		}
	}
}

// mustGetAlias returns the alias or fails t.
func mustGetAlias(t *testing.T, s store.Store, name string) store.Alias {
	t.Helper()
	a, err := s.GetAlias(t.Context(), name)
	if err != nil {
		t.Fatalf("GetAlias(%s): %v", name, err)
	}
	return a
}

// testAliases covers CreateAlias, GetAlias, UpdateAlias, DeleteAlias and
// ListAliases.
func testAliases(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("CreateGet", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)))
		want := store.Alias{Name: "alias/test-1_x", KeyID: keyID(1), CreatedAt: t0, UpdatedAt: t0.Add(time.Nanosecond)}
		mustCreateAlias(t, s, want)
		checkAlias(t, "GetAlias", mustGetAlias(t, s, want.Name), want)
	})

	t.Run("Errors", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)), minimalKey(keyID(2)))
		orig := alias("alias/taken", keyID(1))
		mustCreateAlias(t, s, orig)
		upd := func(name, key string) func() error {
			return func() error { return s.UpdateAlias(t.Context(), name, key, t0.Add(time.Hour)) }
		}
		for _, tc := range []struct {
			name string
			call func() error
			want error
		}{
			{"CreateDuplicate", func() error { return s.CreateAlias(t.Context(), alias("alias/taken", keyID(2))) }, store.ErrExists},
			{"CreateMissingKey", func() error { return s.CreateAlias(t.Context(), alias("alias/new", keyID(9))) }, store.ErrNotFound},
			{"GetMissing", func() error { _, err := s.GetAlias(t.Context(), "alias/absent"); return err }, store.ErrNotFound},
			{"UpdateMissingAlias", upd("alias/absent", keyID(2)), store.ErrNotFound},
			{"UpdateMissingKey", upd("alias/taken", keyID(9)), store.ErrNotFound},
			{"DeleteMissing", func() error { return s.DeleteAlias(t.Context(), "alias/absent") }, store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				checkErr(t, tc.name, tc.call(), tc.want)
				// Nothing changed.
				checkAlias(t, "alias/taken", mustGetAlias(t, s, "alias/taken"), orig)
				for _, name := range []string{"alias/new", "alias/absent"} {
					_, err := s.GetAlias(t.Context(), name)
					checkErr(t, "GetAlias("+name+")", err, store.ErrNotFound)
				}
			})
		}
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)), minimalKey(keyID(2)))
		mustCreateAlias(t, s, alias("alias/moving", keyID(1)))
		later := t0.Add(90 * time.Minute)
		if err := s.UpdateAlias(t.Context(), "alias/moving", keyID(2), later); err != nil {
			t.Fatalf("UpdateAlias: %v", err)
		}
		want := store.Alias{Name: "alias/moving", KeyID: keyID(2), CreatedAt: t0, UpdatedAt: later}
		checkAlias(t, "GetAlias after update", mustGetAlias(t, s, "alias/moving"), want)
		checkAliasList(t, s, keyID(1), "", 100, nil)
		checkAliasList(t, s, keyID(2), "", 100, []string{"alias/moving"})

		// Pointing an alias at the key it already names is an update too.
		latest := later.Add(time.Second)
		if err := s.UpdateAlias(t.Context(), "alias/moving", keyID(2), latest); err != nil {
			t.Fatalf("UpdateAlias to the same key: %v", err)
		}
		want.UpdatedAt = latest
		checkAlias(t, "GetAlias after second update", mustGetAlias(t, s, "alias/moving"), want)
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)))
		mustCreateAlias(t, s, alias("alias/a", keyID(1)), alias("alias/b", keyID(1)))
		if err := s.DeleteAlias(t.Context(), "alias/a"); err != nil {
			t.Fatalf("DeleteAlias: %v", err)
		}
		_, err := s.GetAlias(t.Context(), "alias/a")
		checkErr(t, "GetAlias after delete", err, store.ErrNotFound)
		checkErr(t, "second DeleteAlias", s.DeleteAlias(t.Context(), "alias/a"), store.ErrNotFound)
		checkAliasList(t, s, "", "", 100, []string{"alias/b"})
		mustGet(t, s, keyID(1)) // the key stays
		// The name can be used again.
		mustCreateAlias(t, s, alias("alias/a", keyID(1)))
	})

	t.Run("List", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)), minimalKey(keyID(2)), minimalKey(keyID(3)))
		// Created out of order: the store must sort by name.
		mustCreateAlias(t, s,
			alias("alias/d", keyID(1)),
			alias("alias/a", keyID(2)),
			alias("alias/c", keyID(1)),
			alias("alias/B", keyID(2)),
			alias("alias/e", keyID(1)),
			alias("alias/b", keyID(1)),
		)
		all := []string{"alias/B", "alias/a", "alias/b", "alias/c", "alias/d", "alias/e"}
		of1 := []string{"alias/b", "alias/c", "alias/d", "alias/e"}
		for _, tc := range []struct {
			name       string
			key, after string
			limit      int
			want       []string
		}{
			{"All", "", "", 100, all},
			{"AllFirstPage", "", "", 2, all[:2]},
			{"AllAfter", "", "alias/a", 3, all[2:5]},
			{"AllAfterAbsent", "", "alias/bb", 100, all[3:]},
			{"AllAfterLast", "", "alias/e", 100, nil},
			{"ByKey", keyID(1), "", 100, of1},
			{"ByKeyPage", keyID(1), "", 2, of1[:2]},
			{"ByKeyAfter", keyID(1), "alias/b", 2, of1[1:3]},
			{"ByKeyAfterLast", keyID(1), "alias/e", 100, nil},
			{"ByOtherKey", keyID(2), "", 100, []string{"alias/B", "alias/a"}},
			{"KeyWithoutAliases", keyID(3), "", 100, nil},
			{"UnknownKey", keyID(9), "", 100, nil},
		} {
			t.Run(tc.name, func(t *testing.T) { checkAliasList(t, s, tc.key, tc.after, tc.limit, tc.want) })
		}

		t.Run("Paging", func(t *testing.T) {
			var seen []string
			after := ""
			for range len(all) + 1 {
				page, err := s.ListAliases(t.Context(), "", after, 4)
				checkErr(t, "ListAliases", err, nil)
				if len(page) == 0 {
					break
				}
				seen = append(seen, names(page)...)
				after = page[len(page)-1].Name
			}
			if !slices.Equal(seen, all) {
				t.Errorf("paging by 4 saw %q, want %q", seen, all)
			}
		})

		t.Run("FullRecords", func(t *testing.T) {
			got, err := s.ListAliases(t.Context(), keyID(2), "", 1)
			checkErr(t, "ListAliases", err, nil)
			if len(got) == 1 {
				checkAlias(t, "ListAliases", got[0], alias("alias/B", keyID(2)))
			}
		})
	})
}

func checkAliasList(t *testing.T, s store.Store, keyID, after string, limit int, want []string) {
	t.Helper()
	got, err := s.ListAliases(t.Context(), keyID, after, limit)
	checkErr(t, "ListAliases", err, nil)
	if !slices.Equal(names(got), want) {
		t.Errorf("ListAliases(%q, %q, %d) = %q, want %q", keyID, after, limit, names(got), want)
	}
}
