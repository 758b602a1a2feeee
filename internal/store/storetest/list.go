package storetest

import (
	"slices"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// testListKeys covers ListKeys: order, the after cursor, limit and paging.
func testListKeys(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Empty", func(t *testing.T) {
		s := open(t)
		got, err := s.ListKeys(t.Context(), "", 10)
		checkErr(t, "ListKeys", err, nil)
		if len(got) != 0 {
			t.Errorf("ListKeys on an empty store = %q, want none", ids(got))
		}
	})

	s := open(t)
	all := []string{keyID(1), keyID(2), keyID(3), keyID(0x10), keyID(0x200)}
	// Created out of order: the store must sort.
	for _, i := range []int{3, 0, 4, 1, 2} {
		k := minimalKey(all[i])
		k.Description = "key " + all[i]
		mustCreate(t, s, k)
	}
	if _, err := s.UpdateKey(t.Context(), all[2], func(k *store.Key) error {
		k.Tags = []store.Tag{{Key: "updated", Value: "yes"}}
		return nil
	}); err != nil {
		t.Fatalf("UpdateKey: %v", err)
	}

	for _, tc := range []struct {
		name  string
		after string
		limit int
		want  []string
	}{
		{"All", "", 100, all},
		{"ExactLimit", "", len(all), all},
		{"FirstPage", "", 2, all[:2]},
		{"Limit1", "", 1, all[:1]},
		{"AfterExisting", all[1], 2, all[2:4]},
		{"AfterAbsent", all[1] + "-", 10, all[2:]},
		{"AfterLast", all[4], 10, nil},
		{"AfterEverything", "~", 10, nil},
		{"BeforeEverything", "0", 10, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListKeys(t.Context(), tc.after, tc.limit)
			checkErr(t, "ListKeys", err, nil)
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("ListKeys(%q, %d) = %q, want %q", tc.after, tc.limit, ids(got), tc.want)
			}
		})
	}

	t.Run("FullRecords", func(t *testing.T) {
		got, err := s.ListKeys(t.Context(), "", 100)
		checkErr(t, "ListKeys", err, nil)
		for _, k := range got {
			want := mustGet(t, s, k.ID)
			checkKey(t, "ListKeys "+k.ID, k, want)
			checkVersion(t, "ListKeys "+k.ID, k, want.Version)
		}
		if len(got) == len(all) {
			checkVersion(t, "updated key in ListKeys", got[2], 2)
		}
	})

	t.Run("Paging", func(t *testing.T) {
		var seen []string
		after := ""
		for range len(all) + 1 {
			page, err := s.ListKeys(t.Context(), after, 2)
			checkErr(t, "ListKeys", err, nil)
			if len(page) == 0 {
				break
			}
			if len(page) > 2 {
				t.Fatalf("ListKeys(%q, 2) returned %d keys", after, len(page))
			}
			seen = append(seen, ids(page)...)
			after = page[len(page)-1].ID
		}
		if !slices.Equal(seen, all) {
			t.Errorf("paging by 2 saw %q, want %q", seen, all)
		}
	})

	t.Run("Copies", func(t *testing.T) {
		got, err := s.ListKeys(t.Context(), "", 100)
		checkErr(t, "ListKeys", err, nil)
		for _, k := range got {
			mutateKey(k)
		}
		k := mustGet(t, s, all[0])
		if k.Description != "key "+all[0] || k.State != "Enabled" {
			t.Errorf("mutating ListKeys' result changed the store: %+v", k)
		}
	})
}
