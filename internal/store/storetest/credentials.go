package storetest

import (
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// testCredentials covers PutCredential and GetCredential.
func testCredentials(t *testing.T, open func(t *testing.T) store.Store) {
	user := store.Credential{
		AccessKeyID:  "AKIAEXAMPLEUSER00001",
		PrincipalARN: "arn:aws:iam::111122223333:user/alice",
		UserName:     "alice",
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
