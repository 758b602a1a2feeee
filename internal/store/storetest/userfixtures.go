package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// user returns a user named name, with an ID derived from it and no
// policies.
func user(name string) store.User {
	return store.User{
		Name:      name,
		UserID:    "AIDA" + fmt.Sprintf("%016X", []byte(name+"________"))[:16],
		Path:      "/",
		ARN:       "arn:aws:iam::111122223333:user/" + name,
		CreatedAt: t0,
	}
}

// fullUser returns a user with every field set.
func fullUser(name string) store.User {
	u := user(name)
	u.Path = "/division/team/"
	u.ARN = "arn:aws:iam::111122223333:user/division/team/" + name
	u.CreatedAt = t0.Add(time.Nanosecond)
	u.InlinePolicies = map[string]string{
		"read-only": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Describe*","Resource":"*"}]}`,
		"ünïcode ✓": `{"Statement":[]}`,
		"empty":     "",
	}
	// Attachment order is kept, not sorted.
	u.AttachedPolicies = []string{
		"arn:aws:iam::aws:policy/ReadOnlyAccess",
		"arn:aws:iam::111122223333:policy/Admin",
		"arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser",
	}
	return u
}

// cloneUser returns a deep copy of u.
func cloneUser(u store.User) store.User {
	c := u
	if u.InlinePolicies != nil {
		c.InlinePolicies = make(map[string]string, len(u.InlinePolicies))
		for k, v := range u.InlinePolicies {
			c.InlinePolicies[k] = v
		}
	}
	c.AttachedPolicies = slices.Clone(u.AttachedPolicies)
	return c
}

// mutateUser changes every mutable part of u in place, map and slice
// included.
func mutateUser(u *store.User) {
	u.Path = "/mutated/"
	u.CreatedAt = u.CreatedAt.Add(1)
	if u.InlinePolicies != nil {
		for k := range u.InlinePolicies {
			u.InlinePolicies[k] = "mutated"
		}
		u.InlinePolicies["mutated"] = "{}"
	}
	if len(u.AttachedPolicies) > 0 {
		u.AttachedPolicies[0] = "mutated"
	}
	u.AttachedPolicies = append(u.AttachedPolicies, "mutated")
}

// mustCreateUser creates every user or fails t.
func mustCreateUser(t *testing.T, s store.Store, users ...store.User) {
	t.Helper()
	for _, u := range users {
		if err := s.CreateUser(t.Context(), u); err != nil {
			t.Fatalf("CreateUser(%s): %v", u.Name, err)
		}
	}
}

// mustGetUser returns the user or fails t.
func mustGetUser(t *testing.T, s store.Store, name string) store.User {
	t.Helper()
	u, err := s.GetUser(t.Context(), name)
	if err != nil {
		t.Fatalf("GetUser(%s): %v", name, err)
	}
	return u
}

func checkUserList(t *testing.T, s store.Store, after string, limit int, want []string) {
	t.Helper()
	got, err := s.ListUsers(t.Context(), after, limit)
	checkErr(t, "ListUsers", err, nil)
	if !slices.Equal(userNames(got), want) {
		t.Errorf("ListUsers(%q, %d) = %q, want %q", after, limit, userNames(got), want)
	}
}
