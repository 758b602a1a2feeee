package iam

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

const account = "111122223333"

// node is one server's IAM core and keyring; nodes of one test share a
// database file, as processes on one host would.
type node struct {
	svc  *Service
	keys *accesskey.Keyring
}

// newNodes returns n nodes on one SQLite file and one root key.
func newNodes(t *testing.T, n int) []node {
	t.Helper()
	dir := t.TempDir()
	rk, err := rootkey.OpenSoftware(filepath.Join(dir, "root.key"))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]node, n)
	for i := range out {
		st, err := sqlite.Open(filepath.Join(dir, "trent.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		keys := accesskey.New(st, rk, account)
		out[i] = node{svc: New(Config{Store: st, Keys: keys, AccountID: account}), keys: keys}
	}
	return out
}

// asRoot is a context of the account root.
func asRoot(t *testing.T) context.Context {
	return identity.With(t.Context(), identity.Principal{Kind: identity.KindRoot, ARN: "arn:aws:iam::" + account + ":root", AccountID: account})
}

// wantKind fails t unless err is a refusal of kind want (nil for none).
func wantKind(t *testing.T, what string, err error, want Kind) {
	t.Helper()
	if want == KindNone && err != nil || want != KindNone && KindOf(err) != want {
		t.Fatalf("%s: %v, want %v", what, err, want)
	}
}

func TestRefusals(t *testing.T) {
	n := newNodes(t, 1)[0]
	ctx := asRoot(t)
	_, err := n.svc.CreateUser(ctx, CreateUserInput{UserName: "Bob"})
	wantKind(t, "CreateUser", err, KindNone)
	for _, tc := range []struct {
		name string
		err  error
		want Kind
		msg  string
	}{
		{"NoPrincipal", n.svc.DeleteUser(t.Context(), "Bob"), AccessDenied, "The request carries no authenticated principal."},
		{"CaseDuplicate", second(n.svc.CreateUser(ctx, CreateUserInput{UserName: "bob"})), EntityAlreadyExists, "User with name bob already exists."},
		{"Tags", second(n.svc.CreateUser(ctx, CreateUserInput{UserName: "x", TagsOrBoundary: true})), InvalidInput, "Trent does not support tags or permissions boundaries on users."},
		{"NoSuchUser", n.svc.DeleteUser(ctx, "carol"), NoSuchEntity, "The user with name carol cannot be found."},
		{"BadARN", n.svc.AttachUserPolicy(ctx, "bob", "not-an-arn"), InvalidInput, "ARN not-an-arn is not valid."},
		{"NotAttachable", n.svc.AttachUserPolicy(ctx, "bob", "arn:aws:iam::aws:policy/ReadOnlyAccess"), NoSuchEntity, "Policy arn:aws:iam::aws:policy/ReadOnlyAccess does not exist or is not attachable."},
		{"Malformed", n.svc.PutUserPolicy(ctx, "bob", "p", "{"), MalformedPolicyDocument, ""},
		{"NoSuchPolicy", n.svc.DeleteUserPolicy(ctx, "BOB", "p"), NoSuchEntity, "The user policy with name p cannot be found."},
		{"BadMarker", second(n.svc.ListUsers(ctx, "", "garbage", 10)), ValidationError, "Invalid Marker."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantKind(t, tc.name, tc.err, tc.want)
			var e *Error
			if errors.As(tc.err, &e) && tc.msg != "" && e.Message != tc.msg {
				t.Errorf("message %q, want %q", e.Message, tc.msg)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

// TestDeleteUserConflicts: DeleteUser refuses, in IAM's order, a user
// with access keys, inline policies, attached policies.
func TestDeleteUserConflicts(t *testing.T) {
	n := newNodes(t, 1)[0]
	ctx := asRoot(t)
	_, err := n.svc.CreateUser(ctx, CreateUserInput{UserName: "bob"})
	wantKind(t, "CreateUser", err, KindNone)
	k, err := n.svc.CreateAccessKey(ctx, "BOB")
	wantKind(t, "CreateAccessKey", err, KindNone)
	if k.UserName != "bob" {
		t.Errorf("CreateAccessKey(BOB) made a key of %q, want bob", k.UserName)
	}
	wantKind(t, "PutUserPolicy", n.svc.PutUserPolicy(ctx, "bob", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`), KindNone)
	wantKind(t, "AttachUserPolicy", n.svc.AttachUserPolicy(ctx, "bob", "arn:aws:iam::aws:policy/AdministratorAccess"), KindNone)
	for _, step := range []struct {
		msg  string
		undo func() error
	}{
		{"must delete access keys first", func() error { return n.svc.DeleteAccessKey(ctx, "bob", k.AccessKeyID) }},
		{"must delete policies first", func() error { return n.svc.DeleteUserPolicy(ctx, "bob", "p") }},
		{"must detach all policies first", func() error {
			return n.svc.DetachUserPolicy(ctx, "bob", "arn:aws:iam::aws:policy/AdministratorAccess")
		}},
	} {
		err := n.svc.DeleteUser(ctx, "bob")
		wantKind(t, "DeleteUser", err, DeleteConflict)
		if want := "Cannot delete entity, " + step.msg + "."; err.(*Error).Message != want {
			t.Errorf("DeleteUser: %q, want %q", err.(*Error).Message, want)
		}
		wantKind(t, "undo", step.undo(), KindNone)
	}
	wantKind(t, "DeleteUser", n.svc.DeleteUser(ctx, "bob"), KindNone)
}

// race runs fns at once from a barrier and returns their errors.
func race(fns ...func() error) []error {
	errs := make([]error, len(fns))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { <-start; errs[i] = fn() })
	}
	close(start)
	wg.Wait()
	return errs
}

// TestRacesAcrossNodes races two nodes on one database for every rule the
// core relies on the store for; no lock is held in the process.
func TestRacesAcrossNodes(t *testing.T) {
	nodes := newNodes(t, 2)
	a, b := nodes[0], nodes[1]
	ctx := asRoot(t)
	const rounds = 15
	for r := range rounds {
		names := []string{fmt.Sprintf("Bob%d", r), fmt.Sprintf("bob%d", r)}
		errs := race(
			func() error { return second(a.svc.CreateUser(ctx, CreateUserInput{UserName: names[0]})) },
			func() error { return second(b.svc.CreateUser(ctx, CreateUserInput{UserName: names[1]})) },
		)
		if won := count(t, errs, EntityAlreadyExists); won != 1 {
			t.Fatalf("round %d: %d of %q created", r, won, names)
		}

		// One key already; two more at once: one fits.
		_, err := a.svc.CreateAccessKey(ctx, names[0])
		wantKind(t, "first key", err, KindNone)
		errs = race(
			func() error { return second(a.svc.CreateAccessKey(ctx, names[0])) },
			func() error { return second(b.svc.CreateAccessKey(ctx, names[1])) },
		)
		if won := count(t, errs, LimitExceeded); won != 1 {
			t.Fatalf("round %d: %d of two keys created with one place left", r, won)
		}
	}

	// DeleteUser against CreateAccessKey: never both; a user created again
	// never authenticates with the old key.
	for r := range rounds {
		name := fmt.Sprintf("doomed%d", r)
		_, err := a.svc.CreateUser(ctx, CreateUserInput{UserName: name})
		wantKind(t, "CreateUser", err, KindNone)
		var key AccessKey
		errs := race(
			func() error { return a.svc.DeleteUser(ctx, name) },
			func() (err error) { key, err = b.svc.CreateAccessKey(ctx, name); return err },
		)
		switch {
		case errs[0] == nil && errs[1] == nil:
			t.Fatalf("round %d: DeleteUser and CreateAccessKey both succeeded", r)
		case errs[0] != nil && KindOf(errs[0]) != DeleteConflict:
			t.Fatalf("round %d: DeleteUser: %v", r, errs[0])
		case errs[1] != nil && KindOf(errs[1]) != NoSuchEntity:
			t.Fatalf("round %d: CreateAccessKey: %v", r, errs[1])
		}
		if errs[1] == nil { // the key won: delete it, then the user
			wantKind(t, "DeleteAccessKey", a.svc.DeleteAccessKey(ctx, name, key.AccessKeyID), KindNone)
			wantKind(t, "DeleteUser", a.svc.DeleteUser(ctx, name), KindNone)
		}
		_, err = b.svc.CreateUser(ctx, CreateUserInput{UserName: name})
		wantKind(t, "CreateUser again", err, KindNone)
		if key.AccessKeyID != "" {
			for _, n := range nodes {
				if _, err := n.keys.Principal(ctx, key.AccessKeyID); !errors.Is(err, sigv4.ErrUnknownAccessKey) {
					t.Fatalf("round %d: the deleted user's key authenticates: %v", r, err)
				}
			}
		}
		if pg, err := a.svc.ListAccessKeys(ctx, name, "", 10); err != nil || len(pg.Items) != 0 {
			t.Fatalf("round %d: the new user has keys %+v, %v", r, pg.Items, err)
		}
	}
}

// count returns how many errs are nil, failing t for any error not of
// kind lost.
func count(t *testing.T, errs []error, lost Kind) int {
	t.Helper()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else if KindOf(err) != lost {
			t.Fatalf("%v, want nil or %v", err, lost)
		}
	}
	return won
}

// TestFormerUserHasNoPolicies: a caller whose user was replaced by another
// of the same name is authorized with no policies, not the new user's.
func TestFormerUserHasNoPolicies(t *testing.T) {
	n := newNodes(t, 1)[0]
	ctx := asRoot(t)
	old, err := n.svc.CreateUser(ctx, CreateUserInput{UserName: "eve"})
	wantKind(t, "CreateUser", err, KindNone)
	wantKind(t, "DeleteUser", n.svc.DeleteUser(ctx, "eve"), KindNone)
	_, err = n.svc.CreateUser(ctx, CreateUserInput{UserName: "eve"})
	wantKind(t, "CreateUser again", err, KindNone)
	wantKind(t, "AttachUserPolicy", n.svc.AttachUserPolicy(ctx, "eve", "arn:aws:iam::aws:policy/AdministratorAccess"), KindNone)
	stale := identity.With(t.Context(), identity.Principal{Kind: identity.KindUser, ARN: old.ARN, AccountID: account, UserName: "eve", UserID: old.UserID})
	_, err = n.svc.ListUsers(stale, "", "", 10)
	wantKind(t, "ListUsers as the former eve", err, AccessDenied)
}
