package accesskey

import (
	"context"
	"errors"
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
	const id1, id2 = "AKIAALICE00000000001", "AKIAALICE00000000002"
	for _, id := range []string{id2, id1} {
		if err := k.Put(ctx, id, "secret-"+id, "arn:aws:iam::123456789012:user/alice", "alice", now); err != nil {
			t.Fatal(err)
		}
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
	if s, err := k.Secret(ctx, id1); err != nil || string(s) != "secret-"+id1 {
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
