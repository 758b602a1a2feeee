package storetest

import (
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// keyLimit is the credential limit the IAM tests pass: IAM's
// AccessKeysPerUser.
const keyLimit = 2

// newCred returns a new access key of u, or of the account root when u is
// nil.
func newCred(id string, u *store.User) store.Credential {
	c := store.Credential{
		AccessKeyID:  id,
		PrincipalARN: "arn:aws:iam::111122223333:root",
		SealedSecret: []byte("sealed " + id),
		Status:       "Active",
		CreatedAt:    t0,
	}
	if u != nil {
		c.PrincipalARN, c.UserName, c.UserID = u.ARN, u.Name, u.UserID
	}
	return c
}

// testIAMRules covers the rules the store enforces for IAM: CreateCredential's
// owner check and limit, SetCredentialStatus, and DeleteUser's refusals.
func testIAMRules(t *testing.T, open func(t *testing.T) store.Store) {
	alice := user("alice")

	t.Run("CreateCredential", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, alice)
		first := newCred("AKIAALICE00000000001", &alice)
		checkErr(t, "CreateCredential", s.CreateCredential(t.Context(), first, keyLimit), nil)
		checkCredential(t, "created credential", mustGetCredential(t, s, first.AccessKeyID), first)
		checkErr(t, "CreateCredential with a taken ID", s.CreateCredential(t.Context(), first, keyLimit), store.ErrExists)

		// The name in another case finds the user; the stored name is the user's.
		second := newCred("AKIAALICE00000000002", &alice)
		second.UserName = "ALICE"
		checkErr(t, "CreateCredential(ALICE)", s.CreateCredential(t.Context(), second, keyLimit), nil)
		second.UserName = "alice"
		checkCredential(t, "credential created as ALICE", mustGetCredential(t, s, second.AccessKeyID), second)
		checkCredentialList(t, s, "alice", []string{first.AccessKeyID, second.AccessKeyID})

		third := newCred("AKIAALICE00000000003", &alice)
		checkErr(t, "third CreateCredential", s.CreateCredential(t.Context(), third, keyLimit), store.ErrLimitExceeded)
		// Deleting one frees a place.
		checkErr(t, "DeleteCredential", s.DeleteCredential(t.Context(), first.AccessKeyID), nil)
		checkErr(t, "CreateCredential after a delete", s.CreateCredential(t.Context(), third, keyLimit), nil)
		checkCredentialList(t, s, "alice", []string{second.AccessKeyID, third.AccessKeyID})
	})

	t.Run("CreateCredentialOwner", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, alice)
		bob := user("bob")
		checkErr(t, "CreateCredential for an absent user", s.CreateCredential(t.Context(), newCred("AKIABOB0000000000001", &bob), keyLimit), store.ErrNotFound)
		// Another user of the same name: the UserID decides.
		stale := alice
		stale.UserID = "AIDASTALE00000000001"
		checkErr(t, "CreateCredential for a former user", s.CreateCredential(t.Context(), newCred("AKIAALICE00000000001", &stale), keyLimit), store.ErrNotFound)
		for _, id := range []string{"AKIABOB0000000000001", "AKIAALICE00000000001"} {
			_, err := s.GetCredential(t.Context(), id)
			checkErr(t, "GetCredential of a refused credential", err, store.ErrNotFound)
		}
		// The root's credentials have a limit of their own.
		for i, want := range []error{nil, nil, store.ErrLimitExceeded} {
			c := newCred("AKIAROOT00000000000"+string(rune('1'+i)), nil)
			checkErr(t, "CreateCredential for the root", s.CreateCredential(t.Context(), c, keyLimit), want)
		}
		checkCredentialList(t, s, "", []string{"AKIAROOT000000000001", "AKIAROOT000000000002"})
		checkErr(t, "CreateCredential for alice beside the root's", s.CreateCredential(t.Context(), newCred("AKIAALICE00000000002", &alice), keyLimit), nil)
	})

	t.Run("SetCredentialStatus", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, alice)
		c := newCred("AKIAALICE00000000001", &alice)
		checkErr(t, "CreateCredential", s.CreateCredential(t.Context(), c, keyLimit), nil)
		checkErr(t, "SetCredentialStatus", s.SetCredentialStatus(t.Context(), c.AccessKeyID, "Inactive"), nil)
		c.Status = "Inactive"
		checkCredential(t, "deactivated credential", mustGetCredential(t, s, c.AccessKeyID), c)
		checkErr(t, "SetCredentialStatus to the same status", s.SetCredentialStatus(t.Context(), c.AccessKeyID, "Inactive"), nil)
		checkErr(t, "DeleteCredential", s.DeleteCredential(t.Context(), c.AccessKeyID), nil)
		checkErr(t, "SetCredentialStatus of a deleted credential", s.SetCredentialStatus(t.Context(), c.AccessKeyID, "Active"), store.ErrNotFound)
		_, err := s.GetCredential(t.Context(), c.AccessKeyID)
		checkErr(t, "GetCredential after SetCredentialStatus of a deleted credential", err, store.ErrNotFound)
	})

	t.Run("DeleteUserRefuses", func(t *testing.T) {
		s := open(t)
		full := fullUser("alice") // inline and attached policies
		mustCreateUser(t, s, full)
		c := newCred("AKIAALICE00000000001", &full)
		checkErr(t, "CreateCredential", s.CreateCredential(t.Context(), c, keyLimit), nil)
		steps := []struct {
			want error
			undo func() error
		}{
			{store.ErrHasCredentials, func() error { return s.DeleteCredential(t.Context(), c.AccessKeyID) }},
			{store.ErrHasPolicies, func() error {
				_, err := s.UpdateUser(t.Context(), "alice", func(u *store.User) error { u.InlinePolicies = nil; return nil })
				return err
			}},
			{store.ErrHasAttachedPolicies, func() error {
				_, err := s.UpdateUser(t.Context(), "alice", func(u *store.User) error { u.AttachedPolicies = nil; return nil })
				return err
			}},
			{nil, nil},
		}
		for _, step := range steps {
			err := s.DeleteUser(t.Context(), "Alice")
			checkErr(t, "DeleteUser", err, step.want)
			if step.want == nil {
				break
			}
			checkErr(t, "DeleteUser's error", err, store.ErrConflict)
			mustGetUser(t, s, "alice") // still there
			checkErr(t, "undo", step.undo(), nil)
		}
		_, err := s.GetUser(t.Context(), "alice")
		checkErr(t, "GetUser after DeleteUser", err, store.ErrNotFound)
	})

	t.Run("NoInheritedCredentials", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, alice)
		checkErr(t, "DeleteUser", s.DeleteUser(t.Context(), "alice"), nil)
		again := alice
		again.UserID = "AIDAALICEAGAIN000001"
		mustCreateUser(t, s, again)
		// A caller that still holds the first alice cannot give her keys to the second.
		checkErr(t, "CreateCredential for the deleted alice", s.CreateCredential(t.Context(), newCred("AKIAALICE00000000001", &alice), keyLimit), store.ErrNotFound)
		checkCredentialList(t, s, "alice", nil)
	})
}
