package accesskey

import (
	"context"
	"errors"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// Owner is whose access key Create makes: a user, or the account root
// (UserName and UserID empty).
type Owner struct {
	ARN      string
	UserName string
	UserID   string // the user's store.User.UserID, as the caller found it
}

// Create makes a new access key for o, with a fresh ID and secret, and
// returns it and the secret. The store checks, atomically with the insert
// and on every node sharing it, that a user owner still exists with
// o.UserID (an error wrapping store.ErrNotFound otherwise) and that o
// holds fewer than limit keys (store.ErrLimitExceeded).
func (k *Keyring) Create(ctx context.Context, o Owner, limit int, now time.Time) (Info, string, error) {
	secret := NewSecret()
	for attempt := 0; ; attempt++ {
		id := NewID()
		sealed, err := k.root.Seal([]byte(secret), secretContext(id))
		if err != nil {
			return Info{}, "", err
		}
		c := store.Credential{
			AccessKeyID: id, PrincipalARN: o.ARN, UserName: o.UserName, UserID: o.UserID,
			SealedSecret: sealed, Status: Active, CreatedAt: now.UTC(),
		}
		err = k.store.CreateCredential(ctx, c, limit)
		// Invalidate even after a failed write: it may have happened.
		k.invalidate(id)
		if errors.Is(err, store.ErrExists) && attempt < 3 {
			continue // an ID collision: 80 random bits make it all but impossible
		}
		if err != nil {
			return Info{}, "", err
		}
		return infoOf(c), secret, nil
	}
}
