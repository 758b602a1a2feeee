package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// testUsers covers CreateUser, GetUser, UpdateUser, DeleteUser and
// ListUsers.
func testUsers(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		zoned := fullUser("zoned")
		zoned.CreatedAt = zoned.CreatedAt.In(time.FixedZone("UTC+9", 9*3600)) // comes back in UTC
		for _, want := range []store.User{user("minimal"), fullUser("full"), zoned} {
			in := cloneUser(want)
			if err := s.CreateUser(t.Context(), in); err != nil {
				t.Fatalf("CreateUser(%s): %v", want.Name, err)
			}
			mutateUser(&in) // the store must not have kept the caller's map or slice
			got := mustGetUser(t, s, want.Name)
			checkUser(t, "GetUser("+want.Name+")", got, want)
			mutateUser(&got) // nor hand out its own
			checkUser(t, "GetUser again", mustGetUser(t, s, want.Name), want)
		}
	})

	t.Run("CaseInsensitive", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, user("alice"))
		for _, name := range []string{"Alice", "ALICE", "aLiCe"} {
			checkErr(t, "CreateUser("+name+")", s.CreateUser(t.Context(), user(name)), store.ErrExists)
			// Found in any case, answered as created.
			checkUser(t, "GetUser("+name+")", mustGetUser(t, s, name), user("alice"))
		}
		got, err := s.UpdateUser(t.Context(), "ALICE", func(u *store.User) error {
			u.Path = "/moved/"
			return nil
		})
		checkErr(t, "UpdateUser(ALICE)", err, nil)
		if got.Name != "alice" || got.Path != "/moved/" {
			t.Errorf("UpdateUser(ALICE) = %s at %s, want alice at /moved/", got.Name, got.Path)
		}
		checkUserList(t, s, "", 100, []string{"alice"})
		checkErr(t, "DeleteUser(aLIce)", s.DeleteUser(t.Context(), "aLIce"), nil)
		_, err = s.GetUser(t.Context(), "alice")
		checkErr(t, "GetUser after DeleteUser in another case", err, store.ErrNotFound)
		// Only ASCII letters fold: names are ASCII in IAM.
		mustCreateUser(t, s, user("émile"))
		_, err = s.GetUser(t.Context(), "Émile")
		checkErr(t, "GetUser(Émile)", err, store.ErrNotFound)
	})

	t.Run("CreateDuplicate", func(t *testing.T) {
		s := open(t)
		orig := fullUser("alice")
		mustCreateUser(t, s, orig)
		sameName := user("alice")
		sameName.UserID = "AIDAOTHER0000000000"
		checkErr(t, "CreateUser with a taken name", s.CreateUser(t.Context(), sameName), store.ErrExists)
		sameID := user("bob")
		sameID.UserID = orig.UserID
		checkErr(t, "CreateUser with a taken UserID", s.CreateUser(t.Context(), sameID), store.ErrExists)
		checkUser(t, "GetUser after duplicates", mustGetUser(t, s, "alice"), orig)
		_, err := s.GetUser(t.Context(), "bob")
		checkErr(t, "GetUser of the refused user", err, store.ErrNotFound)
		checkUserList(t, s, "", 100, []string{"alice"})
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, user("alice"))
		for _, name := range []string{"bob", "", "alice "} {
			_, err := s.GetUser(t.Context(), name)
			checkErr(t, fmt.Sprintf("GetUser(%q)", name), err, store.ErrNotFound)
			_, err = s.UpdateUser(t.Context(), name, func(*store.User) error {
				t.Errorf("UpdateUser(%q) called fn for an unknown user", name)
				return nil
			})
			checkErr(t, fmt.Sprintf("UpdateUser(%q)", name), err, store.ErrNotFound)
			checkErr(t, fmt.Sprintf("DeleteUser(%q)", name), s.DeleteUser(t.Context(), name), store.ErrNotFound)
		}
		checkUser(t, "other user", mustGetUser(t, s, "alice"), user("alice"))
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, user("alice"), user("bob"))
		want := fullUser("alice")
		var seen store.User
		got, err := s.UpdateUser(t.Context(), "alice", func(u *store.User) error {
			seen = cloneUser(*u)
			*u = cloneUser(want)
			return nil
		})
		checkErr(t, "UpdateUser", err, nil)
		checkUser(t, "fn argument", seen, user("alice"))
		checkUser(t, "UpdateUser result", got, want)
		checkUser(t, "GetUser after update", mustGetUser(t, s, "alice"), want)

		// Detach a policy, delete an inline one, add another.
		var inFn *store.User
		got, err = s.UpdateUser(t.Context(), "alice", func(u *store.User) error {
			inFn = u
			u.AttachedPolicies = slices.Delete(u.AttachedPolicies, 0, 1)
			delete(u.InlinePolicies, "read-only")
			u.InlinePolicies["new"] = `{"new":true}`
			return nil
		})
		checkErr(t, "second UpdateUser", err, nil)
		want.AttachedPolicies = want.AttachedPolicies[1:]
		delete(want.InlinePolicies, "read-only")
		want.InlinePolicies["new"] = `{"new":true}`
		checkUser(t, "second UpdateUser result", got, want)
		// Neither fn's user nor the result is the store's.
		mutateUser(inFn)
		mutateUser(&got)
		checkUser(t, "GetUser after mutating UpdateUser's users", mustGetUser(t, s, "alice"), want)

		// Removing every policy.
		got, err = s.UpdateUser(t.Context(), "alice", func(u *store.User) error {
			u.InlinePolicies, u.AttachedPolicies = nil, nil
			return nil
		})
		checkErr(t, "third UpdateUser", err, nil)
		want.InlinePolicies, want.AttachedPolicies = nil, nil
		checkUser(t, "third UpdateUser result", got, want)
		checkUser(t, "GetUser after third update", mustGetUser(t, s, "alice"), want)
		checkUser(t, "other user", mustGetUser(t, s, "bob"), user("bob"))
	})

	t.Run("UpdateFnError", func(t *testing.T) {
		s := open(t)
		orig := fullUser("alice")
		mustCreateUser(t, s, orig)
		sentinel := errors.New("fn refused")
		for _, want := range []error{sentinel, fmt.Errorf("context: %w", sentinel), &fnError{"typed"}, store.ErrNotFound} {
			_, err := s.UpdateUser(t.Context(), "alice", func(u *store.User) error {
				mutateUser(u) // partial changes must not be written
				return want
			})
			if err != want {
				t.Fatalf("UpdateUser error = %#v, want fn's error %#v unchanged", err, want)
			}
			checkUser(t, "GetUser after failed update", mustGetUser(t, s, "alice"), orig)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, user("alice"), user("bob"))
		checkErr(t, "DeleteUser", s.DeleteUser(t.Context(), "alice"), nil)
		_, err := s.GetUser(t.Context(), "alice")
		checkErr(t, "GetUser after delete", err, store.ErrNotFound)
		checkErr(t, "second DeleteUser", s.DeleteUser(t.Context(), "alice"), store.ErrNotFound)
		checkUserList(t, s, "", 100, []string{"bob"})
		// The name and the user ID can be used again.
		mustCreateUser(t, s, user("alice"))
		checkUser(t, "re-created user", mustGetUser(t, s, "alice"), user("alice"))
	})

	t.Run("List", func(t *testing.T) {
		s := open(t)
		all := []string{"Bob", "Zed", "alice", "bobby", "carol", "dave-1", "dave_2", "émile"}
		// Created out of order: the store must sort by name, in byte order.
		for _, i := range []int{4, 0, 7, 2, 6, 1, 3, 5} {
			mustCreateUser(t, s, user(all[i]))
		}
		for _, tc := range []struct {
			name  string
			after string
			limit int
			want  []string
		}{
			{"All", "", 100, all},
			{"ExactLimit", "", len(all), all},
			{"FirstPage", "", 3, all[:3]},
			{"AfterExisting", "alice", 2, all[3:5]},
			{"AfterAbsent", "b", 100, all[3:]},
			{"AfterLast", "émile", 100, nil},
			{"Zero", "", 0, nil},
			{"Negative", "", -1, nil},
		} {
			t.Run(tc.name, func(t *testing.T) { checkUserList(t, s, tc.after, tc.limit, tc.want) })
		}

		t.Run("Paging", func(t *testing.T) {
			var seen []string
			after := ""
			for range len(all) + 1 {
				page, err := s.ListUsers(t.Context(), after, 3)
				checkErr(t, "ListUsers", err, nil)
				if len(page) == 0 {
					break
				}
				seen = append(seen, userNames(page)...)
				after = page[len(page)-1].Name
			}
			if !slices.Equal(seen, all) {
				t.Errorf("paging by 3 saw %q, want %q", seen, all)
			}
		})

		t.Run("FullRecords", func(t *testing.T) {
			mustCreateUser(t, s, fullUser("full"))
			got, err := s.ListUsers(t.Context(), "dave_2", 1)
			checkErr(t, "ListUsers", err, nil)
			if len(got) != 1 {
				t.Fatalf("ListUsers returned %d users, want 1", len(got))
			}
			checkUser(t, "ListUsers", got[0], fullUser("full"))
			mutateUser(&got[0])
			checkUser(t, "GetUser after mutating ListUsers' result", mustGetUser(t, s, "full"), fullUser("full"))
		})
	})

	t.Run("Concurrency", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, user("shared"))
		var created atomic.Int32
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				// Every writer adds its own policies: none may be lost.
				for j := range 5 {
					if _, err := s.UpdateUser(t.Context(), "shared", func(u *store.User) error {
						if u.InlinePolicies == nil {
							u.InlinePolicies = map[string]string{}
						}
						u.InlinePolicies[fmt.Sprintf("p-%02d-%d", i, j)] = strconv.Itoa(i)
						u.AttachedPolicies = append(u.AttachedPolicies, fmt.Sprintf("arn:%02d:%d", i, j))
						return nil
					}); err != nil {
						t.Errorf("UpdateUser: %v", err)
						return
					}
				}
				u := user("raced")
				u.Path = fmt.Sprintf("/%d/", i)
				switch err := s.CreateUser(t.Context(), u); {
				case err == nil:
					created.Add(1)
				case !errors.Is(err, store.ErrExists):
					t.Errorf("CreateUser: %v, want nil or ErrExists", err)
				}
			})
		}
		wg.Wait()
		if n := created.Load(); n != 1 {
			t.Errorf("%d concurrent CreateUser calls succeeded, want exactly one", n)
		}
		got := mustGetUser(t, s, "shared")
		if len(got.InlinePolicies) != writers*5 || len(got.AttachedPolicies) != writers*5 {
			t.Errorf("after %d concurrent updates: %d inline and %d attached policies, want %d each",
				writers*5, len(got.InlinePolicies), len(got.AttachedPolicies), writers*5)
		}
	})
}
