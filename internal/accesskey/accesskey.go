// Package accesskey manages access keys: the credentials that sign requests
// with SigV4. It creates them, stores their secrets sealed under the root
// key, and answers the SigV4 verifier's lookups from an in-memory cache.
//
// # Bootstrap
//
// On first start the account root's access key is created and written, with
// its secret, to <data-dir>/root-credentials (mode 0600) in the AWS shared
// credentials file format, so that AWS_SHARED_CREDENTIALS_FILE can point at
// it. If the operator sets the root key ID and secret explicitly, they are
// stored instead and no file is written.
package accesskey

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store"
)

// Status values of an access key.
const (
	Active   = "Active"
	Inactive = "Inactive"
)

// Keyring creates and looks up access keys. It is safe for concurrent use.
type Keyring struct {
	store     store.Store
	root      rootkey.RootKey
	accountID string

	// wmu serialises the read-modify-write changes of manage.go, so that a
	// status change cannot resurrect a key deleted meanwhile.
	wmu sync.Mutex

	mu    sync.RWMutex
	cache map[string]entry
	// gen counts invalidations. A lookup caches what it read from the store
	// only if no invalidation happened since it started, so a read that
	// raced with a change can never re-cache the old state.
	gen uint64

	// ttl, if positive, bounds how long a cached key is used (SetCacheTTL).
	ttl          time.Duration
	hits, misses atomic.Uint64
}

type entry struct {
	secret    []byte
	principal identity.Principal
	active    bool
	at        time.Time // when the store read that produced it started
}

// SetCacheTTL makes cached access keys expire d after they were read, so
// that changes made by other nodes sharing the store (a key deactivated or
// deleted, a user deleted) are seen within d. Zero, the default, keeps them
// until this Keyring changes them, which is exact for a single node. Call
// it before the Keyring is used.
func (k *Keyring) SetCacheTTL(d time.Duration) { k.ttl = d }

// CacheStats returns how many lookups the cache answered and how many read
// the store.
func (k *Keyring) CacheStats() (hits, misses uint64) { return k.hits.Load(), k.misses.Load() }

// New returns a Keyring for the account accountID.
func New(st store.Store, rk rootkey.RootKey, accountID string) *Keyring {
	return &Keyring{store: st, root: rk, accountID: accountID, cache: make(map[string]entry)}
}

// RootARN is the ARN of the account root principal.
func (k *Keyring) RootARN() string { return "arn:aws:iam::" + k.accountID + ":root" }

func secretContext(accessKeyID string) string { return rootkey.AccessKeySecretContext(accessKeyID) }

// Put stores an access key with the given secret for principal arn
// (userName empty for the account root), replacing any key of that ID,
// without the owner checks of Create: it is for the root's bootstrap key.
// A user's key stored by Put has no owner UserID and never authenticates.
func (k *Keyring) Put(ctx context.Context, accessKeyID, secret, arn, userName string, now time.Time) error {
	sealed, err := k.root.Seal([]byte(secret), secretContext(accessKeyID))
	if err != nil {
		return err
	}
	c := store.Credential{
		AccessKeyID: accessKeyID, PrincipalARN: arn, UserName: userName,
		SealedSecret: sealed, Status: Active, CreatedAt: now.UTC(),
	}
	k.wmu.Lock()
	defer k.wmu.Unlock()
	err = k.store.PutCredential(ctx, c)
	// Invalidate even after a failed write: it may have happened.
	k.invalidate(accessKeyID)
	return err
}

// invalidate drops an access key from the cache after a change to it.
func (k *Keyring) invalidate(accessKeyID string) {
	k.mu.Lock()
	delete(k.cache, accessKeyID)
	k.gen++
	k.mu.Unlock()
}

// Secret implements sigv4.SecretLookup: it returns the secret of an active
// access key, or an error wrapping sigv4.ErrUnknownAccessKey.
func (k *Keyring) Secret(ctx context.Context, accessKeyID string) ([]byte, error) {
	e, err := k.lookup(ctx, accessKeyID)
	if err != nil {
		return nil, err
	}
	return e.secret, nil
}

// Principal returns the principal an active access key belongs to.
func (k *Keyring) Principal(ctx context.Context, accessKeyID string) (identity.Principal, error) {
	e, err := k.lookup(ctx, accessKeyID)
	return e.principal, err
}

func (k *Keyring) lookup(ctx context.Context, accessKeyID string) (entry, error) {
	var now time.Time
	if k.ttl > 0 {
		now = time.Now()
	}
	k.mu.RLock()
	e, ok := k.cache[accessKeyID]
	gen := k.gen
	k.mu.RUnlock()
	if ok && k.ttl > 0 && now.Sub(e.at) >= k.ttl {
		ok = false
	}
	if ok {
		k.hits.Add(1)
	} else {
		k.misses.Add(1)
		var err error
		if e, err = k.load(ctx, accessKeyID); err != nil {
			return entry{}, err
		}
		e.at = now
		k.mu.Lock()
		if k.gen == gen {
			k.cache[accessKeyID] = e
		}
		k.mu.Unlock()
	}
	if !e.active {
		return entry{}, sigv4.ErrUnknownAccessKey
	}
	return e, nil
}

// load reads an access key from the store and unseals its secret. A user's
// key whose user no longer exists, or is another user of the same name, is
// unknown.
func (k *Keyring) load(ctx context.Context, accessKeyID string) (entry, error) {
	c, err := k.store.GetCredential(ctx, accessKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return entry{}, sigv4.ErrUnknownAccessKey
	}
	if err != nil {
		return entry{}, err
	}
	p := k.PrincipalOf(Owner{ARN: c.PrincipalARN, UserName: c.UserName})
	p.AccessKeyID = accessKeyID
	if c.UserName != "" {
		u, err := k.store.GetUser(ctx, c.UserName)
		// The key is the user's only if the user is the one it was made
		// for: a user created again under the name has a new UserID, and
		// never inherits the keys of the one before.
		if errors.Is(err, store.ErrNotFound) || err == nil && u.UserID != c.UserID {
			return entry{}, sigv4.ErrUnknownAccessKey
		}
		if err != nil {
			return entry{}, err
		}
		p.UserID = u.UserID
	}
	secret, err := k.root.Unseal(c.SealedSecret, secretContext(accessKeyID))
	if err != nil {
		return entry{}, fmt.Errorf("accesskey: secret of %s does not unseal: %w", accessKeyID, err)
	}
	return entry{secret: secret, active: c.Status == Active, principal: p}, nil
}

// PrincipalOf is the principal of o, as its access keys authenticate it
// (without AccessKeyID): the account root when o has no UserName. Other
// credentials of a user (a console password) use it too, so that a user
// is the same principal however it signs in.
func (k *Keyring) PrincipalOf(o Owner) identity.Principal {
	p := identity.Principal{Kind: identity.KindRoot, ARN: o.ARN, AccountID: k.accountID, UserName: o.UserName, UserID: o.UserID}
	if o.UserName != "" {
		p.Kind = identity.KindUser
	}
	return p
}

// NewID returns a fresh access key ID in AWS's form: "AKIA" and 16
// characters of upper-case base32.
func NewID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return "AKIA" + base32.StdEncoding.EncodeToString(b)
}

// NewSecret returns a fresh 40-character secret access key.
func NewSecret() string {
	b := make([]byte, 30)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// SameSecret compares two secrets in constant time.
func SameSecret(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }
