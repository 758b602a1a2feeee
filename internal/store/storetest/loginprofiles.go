package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// profile returns a login profile of u, or of the account root when u is
// nil, never used.
func profile(u *store.User) store.LoginProfile {
	p := store.LoginProfile{
		PasswordHash:          "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		PasswordResetRequired: true,
		CreatedAt:             t0,
		PasswordChangedAt:     t0.Add(time.Nanosecond),
	}
	if u != nil {
		p.UserName, p.UserID = u.Name, u.UserID
	}
	return p
}

// checkProfile reports every field of got that differs from want.
func checkProfile(t *testing.T, what string, got, want store.LoginProfile) {
	t.Helper()
	var d diff
	d.str("UserName", got.UserName, want.UserName)
	d.str("UserID", got.UserID, want.UserID)
	d.str("PasswordHash", got.PasswordHash, want.PasswordHash)
	if got.PasswordResetRequired != want.PasswordResetRequired {
		d.add("PasswordResetRequired", got.PasswordResetRequired, want.PasswordResetRequired)
	}
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("PasswordChangedAt", got.PasswordChangedAt, want.PasswordChangedAt)
	d.time("PasswordLastUsed", got.PasswordLastUsed, want.PasswordLastUsed)
	d.report(t, what)
}

// mustGetProfile returns the login profile of name or fails t.
func mustGetProfile(t *testing.T, s store.Store, name string) store.LoginProfile {
	t.Helper()
	p, err := s.GetLoginProfile(t.Context(), name)
	if err != nil {
		t.Fatalf("GetLoginProfile(%q): %v", name, err)
	}
	return p
}

// testLoginProfiles covers the LoginProfileStore methods and DeleteUser's
// refusal of a user with a login profile.
func testLoginProfiles(t *testing.T, open func(t *testing.T) store.Store) {
	alice := user("Alice")

	t.Run("CRUD", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, alice)
		want := profile(&alice)
		in := want
		in.UserName = "aLICE" // found in any case; stored as created
		checkErr(t, "CreateLoginProfile", s.CreateLoginProfile(t.Context(), in), nil)
		for _, name := range []string{"Alice", "alice", "ALICE"} {
			checkProfile(t, "GetLoginProfile("+name+")", mustGetProfile(t, s, name), want)
		}
		checkErr(t, "CreateLoginProfile again", s.CreateLoginProfile(t.Context(), want), store.ErrExists)
		_, err := s.GetLoginProfile(t.Context(), "")
		checkErr(t, "GetLoginProfile of the root", err, store.ErrNotFound)

		updated, err := s.UpdateLoginProfile(t.Context(), "ALICE", func(p *store.LoginProfile) error {
			p.PasswordHash = "$argon2id$new"
			p.PasswordResetRequired = false
			p.PasswordChangedAt = t0.Add(time.Hour)
			p.PasswordLastUsed = t0.Add(2 * time.Hour).In(time.FixedZone("x", 3600))
			return nil
		})
		checkErr(t, "UpdateLoginProfile", err, nil)
		want.PasswordHash, want.PasswordResetRequired = "$argon2id$new", false
		want.PasswordChangedAt, want.PasswordLastUsed = t0.Add(time.Hour), t0.Add(2*time.Hour)
		checkProfile(t, "UpdateLoginProfile's result", updated, want)
		checkProfile(t, "updated profile", mustGetProfile(t, s, "alice"), want)

		fnErr := &fnError{"refused"}
		_, err = s.UpdateLoginProfile(t.Context(), "alice", func(p *store.LoginProfile) error {
			p.PasswordHash = "not written"
			return fnErr
		})
		if err != fnErr {
			t.Errorf("UpdateLoginProfile with a failing fn: %v, want fn's error unchanged", err)
		}
		_, err = s.UpdateLoginProfile(t.Context(), "alice", func(p *store.LoginProfile) error {
			p.UserID = "AIDAOTHER"
			return nil
		})
		if err == nil {
			t.Error("UpdateLoginProfile changing the UserID succeeded")
		}
		checkProfile(t, "profile after refused updates", mustGetProfile(t, s, "alice"), want)

		checkErr(t, "DeleteLoginProfile", s.DeleteLoginProfile(t.Context(), "aLiCe"), nil)
		_, err = s.GetLoginProfile(t.Context(), "alice")
		checkErr(t, "GetLoginProfile after delete", err, store.ErrNotFound)
		checkErr(t, "DeleteLoginProfile again", s.DeleteLoginProfile(t.Context(), "alice"), store.ErrNotFound)
		_, err = s.UpdateLoginProfile(t.Context(), "alice", func(*store.LoginProfile) error { return nil })
		checkErr(t, "UpdateLoginProfile after delete", err, store.ErrNotFound)
		checkErr(t, "CreateLoginProfile after delete", s.CreateLoginProfile(t.Context(), profile(&alice)), nil)
	})

	t.Run("Root", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, alice)
		root := profile(nil)
		in := root
		in.UserID = "ignored for the root"
		checkErr(t, "CreateLoginProfile(root)", s.CreateLoginProfile(t.Context(), in), nil)
		checkProfile(t, "root profile", mustGetProfile(t, s, ""), root)
		checkErr(t, "CreateLoginProfile(root) again", s.CreateLoginProfile(t.Context(), root), store.ErrExists)
		// The root's profile and a user's are apart.
		checkErr(t, "CreateLoginProfile(alice)", s.CreateLoginProfile(t.Context(), profile(&alice)), nil)
		checkErr(t, "DeleteLoginProfile(root)", s.DeleteLoginProfile(t.Context(), ""), nil)
		checkProfile(t, "alice's profile", mustGetProfile(t, s, "alice"), profile(&alice))
	})

	t.Run("Owner", func(t *testing.T) {
		s := open(t)
		checkErr(t, "CreateLoginProfile for a missing user", s.CreateLoginProfile(t.Context(), profile(&alice)), store.ErrNotFound)
		mustCreateUser(t, s, alice)
		other := profile(&alice)
		other.UserID = "AIDAANOTHERUSER00001"
		checkErr(t, "CreateLoginProfile with another UserID", s.CreateLoginProfile(t.Context(), other), store.ErrNotFound)

		// Deleted and created again: the old user's UserID is refused.
		checkErr(t, "DeleteUser", s.DeleteUser(t.Context(), alice.Name), nil)
		again := alice
		again.UserID = "AIDAALICEAGAIN000001"
		mustCreateUser(t, s, again)
		checkErr(t, "CreateLoginProfile with the old UserID", s.CreateLoginProfile(t.Context(), profile(&alice)), store.ErrNotFound)
		checkErr(t, "CreateLoginProfile with the new UserID", s.CreateLoginProfile(t.Context(), profile(&again)), nil)
		checkProfile(t, "profile", mustGetProfile(t, s, "alice"), profile(&again))
	})

	t.Run("DeleteUser", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, alice)
		checkErr(t, "CreateLoginProfile", s.CreateLoginProfile(t.Context(), profile(&alice)), nil)
		cred := newCred("AKIAALICEPROFILE0001", &alice)
		checkErr(t, "CreateCredential", s.CreateCredential(t.Context(), cred, keyLimit), nil)
		// The login profile is checked first, as IAM does.
		err := s.DeleteUser(t.Context(), "alice")
		checkErr(t, "DeleteUser with a profile and a key", err, store.ErrHasLoginProfile)
		checkErr(t, "DeleteUser's refusal", err, store.ErrConflict)
		mustGetUser(t, s, "alice")
		checkErr(t, "DeleteLoginProfile", s.DeleteLoginProfile(t.Context(), "alice"), nil)
		checkErr(t, "DeleteUser with a key", s.DeleteUser(t.Context(), "alice"), store.ErrHasCredentials)
		checkErr(t, "DeleteCredential", s.DeleteCredential(t.Context(), cred.AccessKeyID), nil)
		checkErr(t, "DeleteUser", s.DeleteUser(t.Context(), "alice"), nil)
	})
}

// testDeleteUserVersusCreateLoginProfile races DeleteUser with
// CreateLoginProfile for the same user: exactly one succeeds.
func testDeleteUserVersusCreateLoginProfile(t *testing.T, open func(t *testing.T) (a, b store.Store)) {
	s, b := open(t)
	for r := range raceRounds {
		u := user(fmt.Sprintf("console%d", r))
		mustCreateUser(t, s, u)
		errs := race(
			func() error { return s.DeleteUser(t.Context(), u.Name) },
			func() error { return b.CreateLoginProfile(t.Context(), profile(&u)) },
		)
		deleted, created := errs[0] == nil, errs[1] == nil
		switch {
		case deleted && created:
			t.Fatalf("round %d: DeleteUser and CreateLoginProfile both succeeded", r)
		case !deleted && !errors.Is(errs[0], store.ErrHasLoginProfile):
			t.Fatalf("round %d: DeleteUser: %v, want nil or ErrHasLoginProfile", r, errs[0])
		case !created && !errors.Is(errs[1], store.ErrNotFound):
			t.Fatalf("round %d: CreateLoginProfile: %v, want nil or ErrNotFound", r, errs[1])
		case !deleted && !created:
			t.Fatalf("round %d: both failed: %v; %v", r, errs[0], errs[1])
		}
		_, getErr := s.GetLoginProfile(t.Context(), u.Name)
		if deleted {
			checkErr(t, "GetLoginProfile of a deleted user", getErr, store.ErrNotFound)
		} else {
			checkErr(t, "GetLoginProfile", getErr, nil)
			mustGetUser(t, s, u.Name)
		}
	}
}
