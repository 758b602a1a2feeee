package accesskey

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store"
)

func TestStatusDeleteAndList(t *testing.T) {
	ctx := context.Background()
	k, _ := newKeyring(t)
	now := time.Now()
	if err := k.store.CreateUser(ctx, store.User{Name: "alice", UserID: "AIDAALICE0000000000", Path: "/",
		ARN: "arn:aws:iam::123456789012:user/alice", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	alice := Owner{ARN: "arn:aws:iam::123456789012:user/alice", UserName: "alice", UserID: "AIDAALICE0000000000"}
	secrets := map[string]string{}
	for range 2 {
		info, secret, err := k.Create(ctx, alice, 2, now)
		if err != nil {
			t.Fatal(err)
		}
		secrets[info.AccessKeyID] = secret
	}
	ids := slices.Sorted(maps.Keys(secrets))
	id1, id2 := ids[0], ids[1]
	if _, _, err := k.Create(ctx, alice, 2, now); !errors.Is(err, store.ErrLimitExceeded) {
		t.Fatalf("third Create: %v, want ErrLimitExceeded", err)
	}
	p, err := k.Principal(ctx, id1)
	if err != nil || p.UserName != "alice" || p.UserID != "AIDAALICE0000000000" || p.IsRoot() {
		t.Fatalf("Principal = %+v, %v", p, err)
	}
	if err := k.SetStatus(ctx, id1, Inactive); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Secret(ctx, id1); !errors.Is(err, sigv4.ErrUnknownAccessKey) {
		t.Fatalf("Secret of an inactive key: %v", err)
	}
	list, err := k.List(ctx, "alice")
	if err != nil || len(list) != 2 || list[0].AccessKeyID != id1 || list[0].Status != Inactive || list[1].Status != Active {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if info, err := k.Get(ctx, id1); err != nil || info.UserName != "alice" || info.Status != Inactive {
		t.Fatalf("Get = %+v, %v", info, err)
	}
	if err := k.SetStatus(ctx, id1, Active); err != nil {
		t.Fatal(err)
	}
	if s, err := k.Secret(ctx, id1); err != nil || string(s) != secrets[id1] {
		t.Fatalf("Secret after reactivation = %q, %v", s, err)
	}
	if err := k.Delete(ctx, id1); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Secret(ctx, id1); !errors.Is(err, sigv4.ErrUnknownAccessKey) {
		t.Fatalf("Secret of a deleted key: %v", err)
	}
	for name, err := range map[string]error{
		"Delete again":      k.Delete(ctx, id1),
		"SetStatus deleted": k.SetStatus(ctx, id1, Active),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	if _, err := k.Get(ctx, id1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get deleted: %v", err)
	}
	if err := k.SetStatus(ctx, id2, "Expired"); err == nil {
		t.Error("SetStatus accepted Expired")
	}
}

// TestKeyOfFormerUserIsUnknown: a user deleted and created again under
// the same name has a new UserID, and its predecessor's key does not
// authenticate as it.
func TestKeyOfFormerUserIsUnknown(t *testing.T) {
	ctx := context.Background()
	k, _ := newKeyring(t)
	bob := store.User{Name: "bob", UserID: "AIDABOB0000000000001", Path: "/", ARN: "arn:aws:iam::123456789012:user/bob"}
	if err := k.store.CreateUser(ctx, bob); err != nil {
		t.Fatal(err)
	}
	info, _, err := k.Create(ctx, Owner{ARN: bob.ARN, UserName: "bob", UserID: bob.UserID}, 2, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// The store as a store written before version 3 may hold it: the old
	// bob's key left behind, and a new bob.
	if err := k.store.DeleteCredential(ctx, info.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	if err := k.store.DeleteUser(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	c := store.Credential{AccessKeyID: info.AccessKeyID, PrincipalARN: bob.ARN, UserName: "bob", UserID: bob.UserID,
		SealedSecret: []byte("x"), Status: Active}
	if err := k.store.PutCredential(ctx, c); err != nil {
		t.Fatal(err)
	}
	bob.UserID = "AIDABOB0000000000002"
	if err := k.store.CreateUser(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Principal(ctx, info.AccessKeyID); !errors.Is(err, sigv4.ErrUnknownAccessKey) {
		t.Fatalf("Principal of the former bob's key: %v, want ErrUnknownAccessKey", err)
	}
	// Nor can a caller that found the former bob give the new one a key.
	if _, _, err := k.Create(ctx, Owner{ARN: bob.ARN, UserName: "bob", UserID: "AIDABOB0000000000001"}, 2, time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Create for the former bob: %v, want ErrNotFound", err)
	}
}

func TestKeyOfMissingUserIsUnknown(t *testing.T) {
	ctx := context.Background()
	k, _ := newKeyring(t)
	if err := k.Put(ctx, "AKIAORPHAN0000000001", "s", "arn:aws:iam::123456789012:user/ghost", "ghost", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Principal(ctx, "AKIAORPHAN0000000001"); !errors.Is(err, sigv4.ErrUnknownAccessKey) {
		t.Fatalf("Principal of a key whose user does not exist: %v", err)
	}
}

// racyStore runs hook once, after its first GetCredential has read the
// store and before that read is returned: a change that races a lookup.
type racyStore struct {
	store.Store
	fired atomic.Bool
	hook  func()
}

func (s *racyStore) GetCredential(ctx context.Context, id string) (store.Credential, error) {
	c, err := s.Store.GetCredential(ctx, id)
	if !s.fired.Swap(true) {
		s.hook() // the hook's own reads do not fire it again
	}
	return c, err
}

func TestLookupRacingAChangeDoesNotCacheTheOldState(t *testing.T) {
	ctx := context.Background()
	k, _ := newKeyring(t)
	const id = "AKIARACE000000000001"
	if err := k.Put(ctx, id, "s", k.RootARN(), "", time.Now()); err != nil {
		t.Fatal(err)
	}
	rs := &racyStore{Store: k.store}
	rs.hook = func() {
		if err := k.SetStatus(ctx, id, Inactive); err != nil {
			t.Error(err)
		}
	}
	k.store = rs
	// This lookup read the key while it was active; it may answer so, but
	// must not leave that answer in the cache.
	k.Secret(ctx, id)
	if _, err := k.Secret(ctx, id); !errors.Is(err, sigv4.ErrUnknownAccessKey) {
		t.Fatalf("a deactivated key still authenticates: %v", err)
	}
}

func TestBootstrapAfterTheRootRotatedItsKey(t *testing.T) {
	ctx := context.Background()
	k, dir := newKeyring(t)
	first, err := k.Bootstrap(ctx, dir, "", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// The root creates a second key and deletes the first, through IAM.
	if err := k.Put(ctx, "AKIAROOTSECOND000001", "second", k.RootARN(), "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx, first.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	again, err := k.Bootstrap(ctx, dir, "", "", time.Now())
	if err != nil || again.CredentialsFile != "" || again.AccessKeyID != "AKIAROOTSECOND000001" {
		t.Fatalf("Bootstrap after a rotation = %+v, %v", again, err)
	}
	if _, err := k.Secret(ctx, first.AccessKeyID); !errors.Is(err, sigv4.ErrUnknownAccessKey) {
		t.Fatalf("the deleted first key came back: %v", err)
	}
	// With no key left at all, the next start issues one again.
	if err := k.Delete(ctx, "AKIAROOTSECOND000001"); err != nil {
		t.Fatal(err)
	}
	last, err := k.Bootstrap(ctx, dir, "", "", time.Now())
	if err != nil || last.CredentialsFile == "" || last.AccessKeyID != first.AccessKeyID {
		t.Fatalf("Bootstrap with no root key = %+v, %v", last, err)
	}
}
