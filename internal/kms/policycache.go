package kms

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// keyPolicyCache holds parsed key policies by key ID and version.
type keyPolicyCache struct {
	mu sync.RWMutex
	m  map[string]versionedPolicy
}

type versionedPolicy struct {
	version int64
	p       *policy.Policy
}

func (c *keyPolicyCache) get(id string, version int64) *policy.Policy {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e, ok := c.m[id]; ok && e.version == version {
		return e.p
	}
	return nil
}

func (c *keyPolicyCache) put(id string, version int64, p *policy.Policy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]versionedPolicy)
	}
	c.m[id] = versionedPolicy{version, p}
}

// userPolicyTTL bounds how long a user's parsed IAM policies are reused:
// changes made through this node's IAM API invalidate at once
// (InvalidateUser); changes made on another node are seen within the TTL.
const userPolicyTTL = time.Second

// userPolicyCache holds users' parsed identity policies.
type userPolicyCache struct {
	mu sync.Mutex
	m  map[string]cachedUserPolicies
}

type cachedUserPolicies struct {
	at       time.Time
	userID   string
	policies []*policy.Policy
}

// get returns the identity policies of the user name whose unique ID is
// userID. A user of that name with another ID (deleted and created again,
// while the caller's access key of the old user was still cached on some
// node) has nothing to give the caller: no policies.
func (c *userPolicyCache) get(ctx context.Context, st store.Store, name, userID string, now time.Time) ([]*policy.Policy, error) {
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < userPolicyTTL {
		if e.userID != userID {
			return nil, nil
		}
		return e.policies, nil
	}
	u, err := st.GetUser(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil // a deleted user's key is refused before this; nothing to allow
	}
	if err != nil {
		return nil, err
	}
	// Stored policies were validated when attached; one that no longer
	// parses (or a managed policy this build does not know) fails the
	// request closed, since it might hold a Deny.
	var ps []*policy.Policy
	for name, doc := range u.InlinePolicies {
		p, err := policy.Parse(doc, policy.IdentityPolicy)
		if err != nil {
			return nil, fmt.Errorf("kms: inline policy %q of user %s does not parse: %w", name, u.Name, err)
		}
		ps = append(ps, p)
	}
	for _, arn := range u.AttachedPolicies {
		doc, ok := policy.ManagedPolicy(arn)
		if !ok {
			return nil, fmt.Errorf("kms: user %s has unknown managed policy %s attached", u.Name, arn)
		}
		p, err := policy.Parse(doc, policy.IdentityPolicy)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]cachedUserPolicies)
	}
	c.m[name] = cachedUserPolicies{now, u.UserID, ps}
	c.mu.Unlock()
	if u.UserID != userID {
		return nil, nil
	}
	return ps, nil
}

func (c *userPolicyCache) invalidate(name string) {
	c.mu.Lock()
	delete(c.m, name)
	c.mu.Unlock()
}

// InvalidateUser drops the cached IAM policies of a user, after the IAM
// API changed them.
func (s *Service) InvalidateUser(name string) { s.userPolicies.invalidate(name) }
