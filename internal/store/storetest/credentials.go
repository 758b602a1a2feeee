package storetest

import (
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// testCredentials covers PutCredential, GetCredential, ListCredentials and
// DeleteCredential.
func testCredentials(t *testing.T, open func(t *testing.T) store.Store) {
	user := store.Credential{
		AccessKeyID:  "AKIAEXAMPLEUSER00001",
		PrincipalARN: "arn:aws:iam::111122223333:user/alice",
		UserName:     "alice",
		UserID:       "AIDAEXAMPLEALICE0001",
		SealedSecret: []byte{1, 0, 0xff, 7, 42},
		Status:       "Active",
		CreatedAt:    t0,
	}
	root := store.Credential{
		AccessKeyID:  "AKIAEXAMPLEROOT00001",
		PrincipalARN: "arn:aws:iam::111122223333:root",
		SealedSecret: []byte("root secret, sealed"),
		Status:       "Active",
		CreatedAt:    t0.Add(time.Microsecond),
	}

	t.Run("PutGet", func(t *testing.T) {
		s := open(t)
		for _, c := range []store.Credential{user, root} {
			in := c
			in.SealedSecret = append([]byte(nil), c.SealedSecret...)
			if err := s.PutCredential(t.Context(), in); err != nil {
				t.Fatalf("PutCredential(%s): %v", c.AccessKeyID, err)
			}
			in.SealedSecret[0] ^= 0xff // the store must have copied it
		}
		for _, want := range []store.Credential{user, root} {
			got := mustGetCredential(t, s, want.AccessKeyID)
			checkCredential(t, "GetCredential("+want.AccessKeyID+")", got, want)
			got.SealedSecret[0] ^= 0xff // nor hand out its own
			checkCredential(t, "GetCredential again", mustGetCredential(t, s, want.AccessKeyID), want)
		}
	})

	t.Run("Replace", func(t *testing.T) {
		s := open(t)
		for _, c := range []store.Credential{user, root} {
			if err := s.PutCredential(t.Context(), c); err != nil {
				t.Fatalf("PutCredential(%s): %v", c.AccessKeyID, err)
			}
		}
		replaced := store.Credential{
			AccessKeyID:  user.AccessKeyID,
			PrincipalARN: "arn:aws:iam::111122223333:user/bob",
			UserName:     "bob",
			SealedSecret: []byte("another secret"),
			Status:       "Inactive",
			CreatedAt:    t0.Add(time.Hour),
		}
		if err := s.PutCredential(t.Context(), replaced); err != nil {
			t.Fatalf("PutCredential (replace): %v", err)
		}
		checkCredential(t, "replaced", mustGetCredential(t, s, user.AccessKeyID), replaced)
		checkCredential(t, "other", mustGetCredential(t, s, root.AccessKeyID), root)
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		if err := s.PutCredential(t.Context(), root); err != nil {
			t.Fatalf("PutCredential: %v", err)
		}
		for _, id := range []string{user.AccessKeyID, "", root.AccessKeyID + "X"} {
			_, err := s.GetCredential(t.Context(), id)
			checkErr(t, "GetCredential("+id+")", err, store.ErrNotFound)
		}
	})

	// cred returns an access key of userName ("" for the root).
	cred := func(id, userName string) store.Credential {
		c := store.Credential{
			AccessKeyID:  id,
			PrincipalARN: "arn:aws:iam::111122223333:user/" + userName,
			UserName:     userName,
			SealedSecret: []byte("sealed " + id),
			Status:       "Active",
			CreatedAt:    t0,
		}
		if userName == "" {
			c.PrincipalARN = "arn:aws:iam::111122223333:root"
		}
		return c
	}

	t.Run("List", func(t *testing.T) {
		s := open(t)
		// Put out of order: the store must sort by access key ID.
		for _, c := range []store.Credential{
			cred("AKIAALICE00000000003", "alice"),
			cred("AKIAROOT000000000002", ""),
			cred("AKIAALICE00000000001", "alice"),
			cred("AKIABOB0000000000001", "bob"),
			cred("AKIAALICE00000000002", "Alice"),
			cred("AKIAROOT000000000001", ""),
			cred("AKIAALICE00000000000", "alice"),
		} {
			if err := s.PutCredential(t.Context(), c); err != nil {
				t.Fatalf("PutCredential(%s): %v", c.AccessKeyID, err)
			}
		}
		checkCredentialList(t, s, "alice", []string{"AKIAALICE00000000000", "AKIAALICE00000000001", "AKIAALICE00000000003"})
		checkCredentialList(t, s, "Alice", []string{"AKIAALICE00000000002"})
		checkCredentialList(t, s, "", []string{"AKIAROOT000000000001", "AKIAROOT000000000002"})
		checkCredentialList(t, s, "carol", nil)

		got, err := s.ListCredentials(t.Context(), "bob")
		checkErr(t, "ListCredentials(bob)", err, nil)
		if len(got) != 1 {
			t.Fatalf("ListCredentials(bob) returned %d credentials, want 1", len(got))
		}
		want := cred("AKIABOB0000000000001", "bob")
		checkCredential(t, "ListCredentials(bob)", got[0], want)
		got[0].SealedSecret[0] ^= 0xff // the store must not hand out its own
		checkCredential(t, "GetCredential after mutating ListCredentials' result", mustGetCredential(t, s, want.AccessKeyID), want)

		// Moving a credential to another user moves it between lists.
		moved := cred("AKIAALICE00000000001", "bob")
		checkErr(t, "PutCredential (move)", s.PutCredential(t.Context(), moved), nil)
		checkCredentialList(t, s, "alice", []string{"AKIAALICE00000000000", "AKIAALICE00000000003"})
		checkCredentialList(t, s, "bob", []string{"AKIAALICE00000000001", "AKIABOB0000000000001"})
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		for _, c := range []store.Credential{user, root, cred("AKIAEXAMPLEUSER00002", "alice")} {
			if err := s.PutCredential(t.Context(), c); err != nil {
				t.Fatalf("PutCredential(%s): %v", c.AccessKeyID, err)
			}
		}
		checkErr(t, "DeleteCredential", s.DeleteCredential(t.Context(), user.AccessKeyID), nil)
		_, err := s.GetCredential(t.Context(), user.AccessKeyID)
		checkErr(t, "GetCredential after delete", err, store.ErrNotFound)
		for _, id := range []string{user.AccessKeyID, "", "AKIAABSENT0000000000"} {
			checkErr(t, "DeleteCredential("+id+")", s.DeleteCredential(t.Context(), id), store.ErrNotFound)
		}
		checkCredentialList(t, s, "alice", []string{"AKIAEXAMPLEUSER00002"})
		checkCredential(t, "other credential", mustGetCredential(t, s, root.AccessKeyID), root)
		// The ID can be used again.
		checkErr(t, "PutCredential again", s.PutCredential(t.Context(), user), nil)
		checkCredential(t, "re-created credential", mustGetCredential(t, s, user.AccessKeyID), user)
	})
}

// mustGetCredential returns the credential or fails t.
func mustGetCredential(t *testing.T, s store.Store, id string) store.Credential {
	t.Helper()
	c, err := s.GetCredential(t.Context(), id)
	if err != nil {
		t.Fatalf("GetCredential(%s): %v", id, err)
	}
	return c
}
