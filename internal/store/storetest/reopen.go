package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// RunReopen checks that what a store acknowledged survives closing and
// reopening it. openAt opens the store kept in dir, creating it if dir holds
// none; RunReopen calls Close on every store it opens, so openAt must not
// (registering Close as a cleanup as well is fine if Close is idempotent).
func RunReopen(t *testing.T, openAt func(t *testing.T, dir string) store.Store) {
	dir := t.TempDir()
	ctx := t.Context()
	cred := store.Credential{
		AccessKeyID:  "AKIAEXAMPLEREOPEN001",
		PrincipalARN: "arn:aws:iam::111122223333:user/alice",
		UserName:     "alice",
		SealedSecret: []byte{9, 8, 7},
		Status:       "Active",
		CreatedAt:    t0,
	}
	gone := cred
	gone.AccessKeyID = "AKIAEXAMPLEREOPEN002"
	due := pendingDeletion(keyID(3), t0.Add(-time.Hour))
	meta := []byte("first")
	wantUser := fullUser("alice")
	wantUser.InlinePolicies["added"] = `{"added":"before close"}`
	wantGrant := fullGrant(keyID(1), grantID(1))

	closeStore := func(s store.Store) {
		t.Helper()
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}

	// First life: write one of everything.
	s := openAt(t, dir)
	mustCreate(t, s, fullKey(keyID(1)), minimalKey(keyID(2)), due)
	if _, err := s.UpdateKey(ctx, keyID(1), func(k *store.Key) error {
		k.Description = "updated before close"
		return nil
	}); err != nil {
		t.Fatalf("UpdateKey: %v", err)
	}
	mustCreateAlias(t, s, alias("alias/kept", keyID(1)), alias("alias/gone", keyID(2)))
	mustCreateGrant(t, s, wantGrant, grant(keyID(1), grantID(2), "r"), grant(keyID(2), grantID(3), "r"))
	checkErr(t, "DeleteGrant", s.DeleteGrant(ctx, keyID(1), grantID(2)), nil)
	checkErr(t, "DeleteKey", s.DeleteKey(ctx, keyID(2)), nil)
	checkErr(t, "PutCredential", s.PutCredential(ctx, cred), nil)
	checkErr(t, "PutCredential", s.PutCredential(ctx, gone), nil)
	checkErr(t, "DeleteCredential", s.DeleteCredential(ctx, gone.AccessKeyID), nil)
	mustCreateUser(t, s, fullUser("alice"), user("bob"))
	if _, err := s.UpdateUser(ctx, "alice", func(u *store.User) error {
		u.InlinePolicies["added"] = `{"added":"before close"}`
		return nil
	}); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	checkErr(t, "DeleteUser", s.DeleteUser(ctx, "bob"), nil)
	mustInitMeta(t, s, "setting", meta)
	closeStore(s)

	want := fullKey(keyID(1))
	want.Description = "updated before close"
	check := func(s store.Store, version int64) {
		t.Helper()
		got := mustGet(t, s, keyID(1))
		checkKey(t, "reopened key", got, want)
		checkVersion(t, "reopened key", got, version)
		_, err := s.GetKey(ctx, keyID(2))
		checkErr(t, "GetKey of the deleted key", err, store.ErrNotFound)
		checkAlias(t, "reopened alias", mustGetAlias(t, s, "alias/kept"), alias("alias/kept", keyID(1)))
		_, err = s.GetAlias(ctx, "alias/gone")
		checkErr(t, "GetAlias of the deleted key's alias", err, store.ErrNotFound)
		checkCredential(t, "reopened credential", mustGetCredential(t, s, cred.AccessKeyID), cred)
		checkCredentialList(t, s, cred.UserName, []string{cred.AccessKeyID})
		checkUser(t, "reopened user", mustGetUser(t, s, "alice"), wantUser)
		checkUserList(t, s, "", 100, []string{"alice"})
		checkGrant(t, "reopened grant", mustGetGrant(t, s, keyID(1), grantID(1)), wantGrant)
		checkGrantList(t, s, keyID(1), "", 100, []string{grantID(1)})
		checkGrantList(t, s, keyID(2), "", 100, nil)
		checkRetirable(t, s, wantGrant.RetiringPrincipal, "", "", 100, []string{keyID(1) + "/" + grantID(1)})
		checkRetirable(t, s, "r", "", "", 100, nil)
		if got := mustInitMeta(t, s, "setting", []byte("second")); !bytes.Equal(got, meta) {
			t.Errorf("reopened InitMeta = %q, want %q", got, meta)
		}
		checkDue(t, s, t0, 10, []string{keyID(3)})
	}

	// Second life: everything is there; write again.
	s = openAt(t, dir)
	check(s, 2)
	if _, err := s.UpdateKey(ctx, keyID(1), func(*store.Key) error { return nil }); err != nil {
		t.Fatalf("UpdateKey: %v", err)
	}
	closeStore(s)

	// Third life: the second life's write is there too.
	s = openAt(t, dir)
	defer closeStore(s)
	check(s, 3)
}
