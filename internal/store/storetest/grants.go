package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// testGrants covers CreateGrant, GetGrant, ListGrants, ListRetirableGrants,
// DeleteGrant, and DeleteKey's deletion of grants.
func testGrants(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)))
		noConstraint := grant(keyID(1), grantID(1), "")
		noConstraint.Operations = nil
		// An empty map is a constraint (the context must be empty), unlike
		// nil: the store must keep the difference.
		emptyConstraint := grant(keyID(1), grantID(2), "")
		emptyConstraint.EncryptionContextEquals = map[string]string{}
		emptySubset := grant(keyID(1), grantID(3), "")
		emptySubset.EncryptionContextSubset = map[string]string{}
		zoned := fullGrant(keyID(1), grantID(5))
		zoned.CreatedAt = zoned.CreatedAt.In(time.FixedZone("UTC+9", 9*3600)) // comes back in UTC
		for _, want := range []store.Grant{noConstraint, emptyConstraint, emptySubset, fullGrant(keyID(1), grantID(4)), zoned} {
			in := cloneGrant(want)
			if err := s.CreateGrant(t.Context(), in); err != nil {
				t.Fatalf("CreateGrant(%s): %v", want.GrantID, err)
			}
			mutateGrant(&in) // the store must not have kept the caller's slice or maps
			got := mustGetGrant(t, s, want.KeyID, want.GrantID)
			checkGrant(t, "GetGrant("+want.GrantID+")", got, want)
			mutateGrant(&got) // nor hand out its own
			checkGrant(t, "GetGrant again", mustGetGrant(t, s, want.KeyID, want.GrantID), want)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)), minimalKey(keyID(2)))
		orig := fullGrant(keyID(1), grantID(1))
		mustCreateGrant(t, s, orig)
		for _, tc := range []struct {
			name string
			call func() error
			want error
		}{
			{"CreateDuplicate", func() error { return s.CreateGrant(t.Context(), grant(keyID(1), grantID(1), "x")) }, store.ErrExists},
			{"CreateMissingKey", func() error { return s.CreateGrant(t.Context(), grant(keyID(9), grantID(2), "x")) }, store.ErrNotFound},
			{"GetMissing", func() error { _, err := s.GetGrant(t.Context(), keyID(1), grantID(2)); return err }, store.ErrNotFound},
			{"GetOtherKey", func() error { _, err := s.GetGrant(t.Context(), keyID(2), grantID(1)); return err }, store.ErrNotFound},
			{"GetMissingKey", func() error { _, err := s.GetGrant(t.Context(), keyID(9), grantID(1)); return err }, store.ErrNotFound},
			{"GetEmpty", func() error { _, err := s.GetGrant(t.Context(), "", ""); return err }, store.ErrNotFound},
			{"DeleteMissing", func() error { return s.DeleteGrant(t.Context(), keyID(1), grantID(2)) }, store.ErrNotFound},
			{"DeleteOtherKey", func() error { return s.DeleteGrant(t.Context(), keyID(2), grantID(1)) }, store.ErrNotFound},
			{"DeleteMissingKey", func() error { return s.DeleteGrant(t.Context(), keyID(9), grantID(1)) }, store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				checkErr(t, tc.name, tc.call(), tc.want)
				// Nothing changed.
				checkGrant(t, "existing grant", mustGetGrant(t, s, keyID(1), grantID(1)), orig)
				checkGrantList(t, s, keyID(1), "", 100, []string{grantID(1)})
				checkGrantList(t, s, keyID(2), "", 100, nil)
				checkGrantList(t, s, keyID(9), "", 100, nil)
			})
		}
	})

	t.Run("SameIDOnTwoKeys", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)), minimalKey(keyID(2)))
		a, b := grant(keyID(1), grantID(1), "a"), fullGrant(keyID(2), grantID(1))
		mustCreateGrant(t, s, a, b)
		checkGrant(t, "grant on key 1", mustGetGrant(t, s, keyID(1), grantID(1)), a)
		checkGrant(t, "grant on key 2", mustGetGrant(t, s, keyID(2), grantID(1)), b)
		checkErr(t, "DeleteGrant", s.DeleteGrant(t.Context(), keyID(1), grantID(1)), nil)
		checkGrant(t, "grant on key 2 after deleting key 1's", mustGetGrant(t, s, keyID(2), grantID(1)), b)
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)))
		mustCreateGrant(t, s, grant(keyID(1), grantID(1), "r"), grant(keyID(1), grantID(2), "r"))
		checkErr(t, "DeleteGrant", s.DeleteGrant(t.Context(), keyID(1), grantID(1)), nil)
		_, err := s.GetGrant(t.Context(), keyID(1), grantID(1))
		checkErr(t, "GetGrant after delete", err, store.ErrNotFound)
		checkErr(t, "second DeleteGrant", s.DeleteGrant(t.Context(), keyID(1), grantID(1)), store.ErrNotFound)
		checkGrantList(t, s, keyID(1), "", 100, []string{grantID(2)})
		checkRetirable(t, s, "r", "", "", 100, []string{keyID(1) + "/" + grantID(2)})
		mustGet(t, s, keyID(1)) // the key stays
		// The ID can be used again.
		mustCreateGrant(t, s, grant(keyID(1), grantID(1), "r"))
	})

	t.Run("DeleteKey", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)), minimalKey(keyID(2)))
		mustCreateGrant(t, s,
			grant(keyID(1), grantID(1), "r"), fullGrant(keyID(1), grantID(2)),
			grant(keyID(2), grantID(3), "r"))
		checkErr(t, "DeleteKey", s.DeleteKey(t.Context(), keyID(1)), nil)
		for _, id := range []string{grantID(1), grantID(2)} {
			_, err := s.GetGrant(t.Context(), keyID(1), id)
			checkErr(t, "GetGrant after DeleteKey", err, store.ErrNotFound)
		}
		checkGrantList(t, s, keyID(1), "", 100, nil)
		checkRetirable(t, s, "r", "", "", 100, []string{keyID(2) + "/" + grantID(3)})
		checkGrant(t, "other key's grant", mustGetGrant(t, s, keyID(2), grantID(3)), grant(keyID(2), grantID(3), "r"))
		// A key created again under the ID has no grants.
		mustCreate(t, s, minimalKey(keyID(1)))
		checkGrantList(t, s, keyID(1), "", 100, nil)
		mustCreateGrant(t, s, grant(keyID(1), grantID(1), "r"))
	})

	t.Run("List", func(t *testing.T) {
		s := open(t)
		mustCreate(t, s, minimalKey(keyID(1)), minimalKey(keyID(2)), minimalKey(keyID(3)))
		of1 := []string{grantID(1), grantID(2), grantID(0x10), grantID(0xa0), grantID(0xff00)}
		// Created out of order, interleaved with another key's grants.
		for _, i := range []int{3, 0, 4, 1, 2} {
			mustCreateGrant(t, s, grant(keyID(1), of1[i], "r"), grant(keyID(2), grantID(100+i), "r"))
		}
		for _, tc := range []struct {
			name  string
			key   string
			after string
			limit int
			want  []string
		}{
			{"All", keyID(1), "", 100, of1},
			{"ExactLimit", keyID(1), "", len(of1), of1},
			{"FirstPage", keyID(1), "", 2, of1[:2]},
			{"AfterExisting", keyID(1), of1[1], 2, of1[2:4]},
			{"AfterAbsent", keyID(1), grantID(3), 100, of1[2:]},
			{"AfterLast", keyID(1), of1[4], 100, nil},
			{"Zero", keyID(1), "", 0, nil},
			{"Negative", keyID(1), "", -1, nil},
			{"OtherKey", keyID(2), "", 2, []string{grantID(100), grantID(101)}},
			{"NoGrants", keyID(3), "", 100, nil},
			{"UnknownKey", keyID(9), "", 100, nil},
		} {
			t.Run(tc.name, func(t *testing.T) { checkGrantList(t, s, tc.key, tc.after, tc.limit, tc.want) })
		}

		t.Run("Paging", func(t *testing.T) {
			var seen []string
			after := ""
			for range len(of1) + 1 {
				page, err := s.ListGrants(t.Context(), keyID(1), after, 2)
				checkErr(t, "ListGrants", err, nil)
				if len(page) == 0 {
					break
				}
				seen = append(seen, grantIDs(page)...)
				after = page[len(page)-1].GrantID
			}
			if !slices.Equal(seen, of1) {
				t.Errorf("paging by 2 saw %q, want %q", seen, of1)
			}
		})

		t.Run("FullRecords", func(t *testing.T) {
			want := fullGrant(keyID(3), grantID(7))
			mustCreateGrant(t, s, want)
			got, err := s.ListGrants(t.Context(), keyID(3), "", 10)
			checkErr(t, "ListGrants", err, nil)
			if len(got) != 1 {
				t.Fatalf("ListGrants returned %d grants, want 1", len(got))
			}
			checkGrant(t, "ListGrants", got[0], want)
			mutateGrant(&got[0])
			checkGrant(t, "GetGrant after mutating ListGrants' result", mustGetGrant(t, s, keyID(3), grantID(7)), want)
		})
	})

	t.Run("ListRetirable", func(t *testing.T) {
		s := open(t)
		const alice, bob = "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/bob"
		mustCreate(t, s, minimalKey(keyID(1)), minimalKey(keyID(2)), minimalKey(keyID(3)))
		// Created out of order; bob's and unretirable grants interleaved.
		mustCreateGrant(t, s,
			grant(keyID(3), grantID(1), alice),
			grant(keyID(1), grantID(9), alice),
			grant(keyID(2), grantID(5), bob),
			grant(keyID(1), grantID(2), alice),
			grant(keyID(2), grantID(7), alice),
			grant(keyID(1), grantID(4), bob),
			grant(keyID(1), grantID(3), ""),
			grant(keyID(2), grantID(3), alice),
			grant(keyID(1), grantID(5), alice+"/suffix"),
		)
		pos := func(k, g int) string { return keyID(k) + "/" + grantID(g) }
		all := []string{pos(1, 2), pos(1, 9), pos(2, 3), pos(2, 7), pos(3, 1)}
		for _, tc := range []struct {
			name                 string
			principal            string
			afterKey, afterGrant string
			limit                int
			want                 []string
		}{
			{"All", alice, "", "", 100, all},
			{"FirstPage", alice, "", "", 2, all[:2]},
			{"AfterPosition", alice, keyID(1), grantID(9), 2, all[2:4]},
			{"AfterFirstGrantOfKey", alice, keyID(1), grantID(2), 100, all[1:]},
			{"AfterAbsentGrant", alice, keyID(2), grantID(4), 100, all[3:]},
			{"AfterKeyStart", alice, keyID(2), "", 100, all[2:]},
			{"AfterKeyEnd", alice, keyID(2), "~", 100, all[4:]},
			{"AfterAbsentKey", alice, keyID(1) + "~", "", 100, all[2:]},
			{"AfterLast", alice, keyID(3), grantID(1), 100, nil},
			{"Zero", alice, "", "", 0, nil},
			{"Negative", alice, "", "", -1, nil},
			{"Bob", bob, "", "", 100, []string{pos(1, 4), pos(2, 5)}},
			{"Unknown", "arn:aws:iam::111122223333:user/carol", "", "", 100, nil},
			{"Prefix", "arn:aws:iam::111122223333:user/ali", "", "", 100, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				checkRetirable(t, s, tc.principal, tc.afterKey, tc.afterGrant, tc.limit, tc.want)
			})
		}

		t.Run("Paging", func(t *testing.T) {
			var seen []string
			var afterKey, afterGrant string
			for range len(all) + 1 {
				page, err := s.ListRetirableGrants(t.Context(), alice, afterKey, afterGrant, 2)
				checkErr(t, "ListRetirableGrants", err, nil)
				if len(page) == 0 {
					break
				}
				seen = append(seen, positions(page)...)
				afterKey, afterGrant = page[len(page)-1].KeyID, page[len(page)-1].GrantID
			}
			if !slices.Equal(seen, all) {
				t.Errorf("paging by 2 saw %q, want %q", seen, all)
			}
		})

		t.Run("FullRecords", func(t *testing.T) {
			want := fullGrant(keyID(3), grantID(8))
			mustCreateGrant(t, s, want)
			got, err := s.ListRetirableGrants(t.Context(), want.RetiringPrincipal, "", "", 10)
			checkErr(t, "ListRetirableGrants", err, nil)
			if len(got) != 1 {
				t.Fatalf("ListRetirableGrants returned %d grants, want 1", len(got))
			}
			checkGrant(t, "ListRetirableGrants", got[0], want)
		})
	})

	t.Run("Concurrency", func(t *testing.T) {
		s := open(t)
		// Concurrent creates of one grant: exactly one wins.
		mustCreate(t, s, minimalKey(keyID(0)))
		var created atomic.Int32
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				g := grant(keyID(0), grantID(1), "r")
				g.Name = fmt.Sprint(i)
				switch err := s.CreateGrant(t.Context(), g); {
				case err == nil:
					created.Add(1)
				case !errors.Is(err, store.ErrExists):
					t.Errorf("CreateGrant: %v, want nil or ErrExists", err)
				}
			})
		}
		wg.Wait()
		if n := created.Load(); n != 1 {
			t.Errorf("%d concurrent CreateGrant calls succeeded, want exactly one", n)
		}

		// A grant created while its key is deleted is either refused or
		// deleted with the key: it never outlives it.
		for i := range 10 {
			id := keyID(10 + i)
			mustCreate(t, s, minimalKey(id))
			var grantErr, deleteErr error
			wg.Go(func() { grantErr = s.CreateGrant(t.Context(), grant(id, grantID(i), "orphan")) })
			wg.Go(func() { deleteErr = s.DeleteKey(t.Context(), id) })
			wg.Wait()
			if grantErr != nil && !errors.Is(grantErr, store.ErrNotFound) {
				t.Errorf("CreateGrant racing DeleteKey: %v, want nil or ErrNotFound", grantErr)
			}
			checkErr(t, "DeleteKey racing CreateGrant", deleteErr, nil)
			_, err := s.GetGrant(t.Context(), id, grantID(i))
			checkErr(t, "GetGrant of a deleted key", err, store.ErrNotFound)
		}
		checkRetirable(t, s, "orphan", "", "", 100, nil)
	})
}
