package login

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/store"
)

// ErrSignInFailed is every refused sign-in but a throttled one: wrong
// account, unknown user, no console password, wrong password. One error,
// and the same argon2 work, whichever it was, so that sign-in does not
// tell which users exist or have a password.
var ErrSignInFailed = errors.New("login: the account ID, user name or password is not correct")

// Profiles is what a Verifier reads: users and their login profiles.
// Every store.Store is one.
type Profiles interface {
	store.LoginProfileStore
	GetUser(ctx context.Context, name string) (store.User, error)
}

// VerifierConfig holds a Verifier's dependencies.
type VerifierConfig struct {
	Store     Profiles
	Keys      *accesskey.Keyring // builds the principals
	AccountID string
	// Now is the clock of the throttles and of PasswordLastUsed; time.Now
	// if nil.
	Now func() time.Time
	// UserLimit and IPLimit are the throttles' bounds; DefaultUserLimit
	// and DefaultIPLimit when zero.
	UserLimit, IPLimit Limit
}

// SignInResult is what a successful sign-in tells beyond the principal.
type SignInResult struct {
	// PasswordResetRequired: the user must set a new password
	// (ChangePassword) before doing anything else.
	PasswordResetRequired bool
}

// Verifier checks console passwords. It is safe for concurrent use.
type Verifier struct {
	cfg    VerifierConfig
	mu     sync.Mutex // guards both throttles, so an attempt is checked and counted in one step
	byUser *throttle
	byIP   *throttle
}

// NewVerifier returns a Verifier.
func NewVerifier(cfg VerifierConfig) *Verifier {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.UserLimit == (Limit{}) {
		cfg.UserLimit = DefaultUserLimit
	}
	if cfg.IPLimit == (Limit{}) {
		cfg.IPLimit = DefaultIPLimit
	}
	return &Verifier{cfg: cfg, byUser: newThrottle(cfg.UserLimit), byIP: newThrottle(cfg.IPLimit)}
}

// SignIn checks the console password of userName in account accountID
// (userName "" is the account root) and returns the principal an access
// key of that user gives, without AccessKeyID. It refuses with
// ErrSignInFailed, or with a *ThrottledError, before checking anything,
// while the user name (in any case) or sourceIP has had too many recent
// failures. A success records PasswordLastUsed and clears the user's
// failures. Other errors are the store's.
func (v *Verifier) SignIn(ctx context.Context, accountID, userName, password, sourceIP string) (identity.Principal, SignInResult, error) {
	now := v.cfg.Now()
	// IAM user names are unique in any case: Bob's budget is bob's.
	uk, ik := accountID+"\x00"+strings.ToLower(userName), ipKey(sourceIP)
	if err := v.begin(uk, ik, now); err != nil {
		return identity.Principal{}, SignInResult{}, err
	}
	p, res, err := v.check(ctx, accountID, userName, password)
	if err != nil {
		// A failure stays counted; so does a store error, which an
		// attacker might otherwise provoke for free guesses.
		return identity.Principal{}, SignInResult{}, err
	}
	v.mu.Lock()
	v.byUser.forget(uk, now, true)
	v.byIP.forget(ik, now, false)
	v.mu.Unlock()
	return p, res, nil
}

// begin refuses an attempt over either throttle's limit, and otherwise
// counts it as a failure until it succeeds.
func (v *Verifier) begin(uk, ik string, now time.Time) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if d := max(v.byUser.retryAfter(uk, now), v.byIP.retryAfter(ik, now)); d > 0 {
		return &ThrottledError{RetryAfter: d}
	}
	v.byUser.add(uk, now)
	v.byIP.add(ik, now)
	return nil
}

// check does the sign-in's work: exactly one argon2 verify, real or dummy.
func (v *Verifier) check(ctx context.Context, accountID, userName, password string) (identity.Principal, SignInResult, error) {
	fail := func() (identity.Principal, SignInResult, error) {
		VerifyDummy(password)
		return identity.Principal{}, SignInResult{}, ErrSignInFailed
	}
	if accountID != v.cfg.AccountID {
		return fail()
	}
	owner := accesskey.Owner{ARN: v.cfg.Keys.RootARN()}
	if userName != "" {
		u, err := v.cfg.Store.GetUser(ctx, userName)
		if errors.Is(err, store.ErrNotFound) {
			return fail()
		}
		if err != nil {
			return identity.Principal{}, SignInResult{}, err
		}
		owner = accesskey.Owner{ARN: u.ARN, UserName: u.Name, UserID: u.UserID}
	}
	lp, err := v.cfg.Store.GetLoginProfile(ctx, owner.UserName)
	if errors.Is(err, store.ErrNotFound) || err == nil && lp.UserID != owner.UserID {
		// No password, or one left by another user of the same name.
		return fail()
	}
	if err != nil {
		return identity.Principal{}, SignInResult{}, err
	}
	ok, err := Verify(password, lp.PasswordHash)
	if err != nil {
		return identity.Principal{}, SignInResult{}, err
	}
	if !ok {
		return identity.Principal{}, SignInResult{}, ErrSignInFailed
	}
	lp, err = v.cfg.Store.UpdateLoginProfile(ctx, owner.UserName, func(x *store.LoginProfile) error {
		if x.PasswordHash != lp.PasswordHash {
			return ErrSignInFailed // changed meanwhile: the password checked is gone
		}
		x.PasswordLastUsed = v.cfg.Now().UTC()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, ErrSignInFailed) {
		return identity.Principal{}, SignInResult{}, ErrSignInFailed
	}
	if err != nil {
		return identity.Principal{}, SignInResult{}, err
	}
	return v.cfg.Keys.PrincipalOf(owner), SignInResult{PasswordResetRequired: lp.PasswordResetRequired}, nil
}
