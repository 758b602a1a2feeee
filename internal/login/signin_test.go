package login

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/store"
)

const account = "111122223333"

// fakeStore holds users and login profiles by lower-case name, as the
// stores find them in any case.
type fakeStore struct {
	mu       sync.Mutex
	users    map[string]store.User
	profiles map[string]store.LoginProfile
	delay    time.Duration // of GetUser, to let sign-ins overlap
}

func (f *fakeStore) GetUser(_ context.Context, name string) (store.User, error) {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[strings.ToLower(name)]
	if !ok {
		return store.User{}, store.ErrNotFound
	}
	return u, nil
}

func (f *fakeStore) CreateLoginProfile(context.Context, store.LoginProfile) error {
	return errors.New("not used")
}

func (f *fakeStore) GetLoginProfile(_ context.Context, name string) (store.LoginProfile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.profiles[strings.ToLower(name)]
	if !ok {
		return store.LoginProfile{}, store.ErrNotFound
	}
	return p, nil
}

func (f *fakeStore) UpdateLoginProfile(_ context.Context, name string, fn func(*store.LoginProfile) error) (store.LoginProfile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.profiles[strings.ToLower(name)]
	if !ok {
		return store.LoginProfile{}, store.ErrNotFound
	}
	if err := fn(&p); err != nil {
		return store.LoginProfile{}, err
	}
	f.profiles[strings.ToLower(name)] = p
	return p, nil
}

func (f *fakeStore) DeleteLoginProfile(context.Context, string) error { return errors.New("not used") }

// cheap are parameters that keep the stored hashes fast to verify; the
// dummy verify of an unknown user still runs DefaultParams.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// clock is an injected clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	st    *fakeStore
	keys  *accesskey.Keyring
	clock *clock
	v     *Verifier
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	alice := store.User{Name: "Alice", UserID: "AIDAALICE", ARN: "arn:aws:iam::" + account + ":user/team/Alice", Path: "/team/"}
	carol := store.User{Name: "carol", UserID: "AIDACAROL2", ARN: "arn:aws:iam::" + account + ":user/carol"}
	f := &fixture{
		st: &fakeStore{
			users: map[string]store.User{
				"alice": alice, "nopass": {Name: "nopass", UserID: "AIDANOPASS"}, "carol": carol,
				"reset": {Name: "reset", UserID: "AIDARESET", ARN: "arn:aws:iam::" + account + ":user/reset"},
			},
			profiles: map[string]store.LoginProfile{
				"alice": {UserName: "Alice", UserID: "AIDAALICE", PasswordHash: HashWith("Alice-pw-1", cheap)},
				"":      {PasswordHash: HashWith("Root-pw-1", cheap)},
				// Left by an earlier carol: not this one's.
				"carol": {UserName: "carol", UserID: "AIDACAROL1", PasswordHash: HashWith("Carol-pw-1", cheap)},
				"reset": {UserName: "reset", UserID: "AIDARESET", PasswordHash: HashWith("Reset-pw-1", cheap), PasswordResetRequired: true},
			},
		},
		keys:  accesskey.New(nil, nil, account),
		clock: &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)},
	}
	f.v = NewVerifier(VerifierConfig{Store: f.st, Keys: f.keys, AccountID: account, Now: f.clock.now})
	return f
}

func TestSignIn(t *testing.T) {
	f := newFixture(t)
	alice := f.keys.PrincipalOf(accesskey.Owner{ARN: "arn:aws:iam::" + account + ":user/team/Alice", UserName: "Alice", UserID: "AIDAALICE"})
	root := identity.Principal{Kind: identity.KindRoot, ARN: "arn:aws:iam::" + account + ":root", AccountID: account}
	for _, tc := range []struct {
		name, account, user, password string
		want                          identity.Principal
		reset                         bool
	}{
		{name: "user", account: account, user: "Alice", password: "Alice-pw-1", want: alice},
		{name: "user name in another case", account: account, user: "aLICE", password: "Alice-pw-1", want: alice},
		{name: "root", account: account, user: "", password: "Root-pw-1", want: root},
		{name: "reset required", account: account, user: "reset", password: "Reset-pw-1", reset: true,
			want: f.keys.PrincipalOf(accesskey.Owner{ARN: "arn:aws:iam::" + account + ":user/reset", UserName: "reset", UserID: "AIDARESET"})},
		{name: "wrong password", account: account, user: "Alice", password: "alice-pw-1"},
		{name: "root's password for a user", account: account, user: "Alice", password: "Root-pw-1"},
		{name: "user's password for the root", account: account, user: "", password: "Alice-pw-1"},
		{name: "other account", account: "444455556666", user: "Alice", password: "Alice-pw-1"},
		{name: "unknown user", account: account, user: "mallory", password: "Alice-pw-1"},
		{name: "user without password", account: account, user: "nopass", password: "Alice-pw-1"},
		{name: "profile of an earlier user of the name", account: account, user: "carol", password: "Carol-pw-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := derivations.Load()
			p, res, err := f.v.SignIn(context.Background(), tc.account, tc.user, tc.password, "192.0.2.1")
			if n := derivations.Load() - before; n != 1 {
				t.Errorf("%d argon2 runs, want 1 whatever the outcome", n)
			}
			if tc.want.Kind == identity.KindNone {
				if err != ErrSignInFailed || p != (identity.Principal{}) {
					t.Fatalf("SignIn = %+v, %v; want ErrSignInFailed", p, err)
				}
				return
			}
			if err != nil || p != tc.want || res.PasswordResetRequired != tc.reset {
				t.Fatalf("SignIn = %+v, %+v, %v; want %+v, reset %v", p, res, err, tc.want, tc.reset)
			}
			lp, _ := f.st.GetLoginProfile(context.Background(), tc.user)
			if !lp.PasswordLastUsed.Equal(f.clock.now()) {
				t.Errorf("PasswordLastUsed = %v, want %v", lp.PasswordLastUsed, f.clock.now())
			}
		})
	}
	if lp, _ := f.st.GetLoginProfile(context.Background(), "carol"); !lp.PasswordLastUsed.IsZero() {
		t.Error("a failed sign-in set PasswordLastUsed")
	}
}

func TestSignInThrottles(t *testing.T) {
	ctx := context.Background()
	type attempt struct {
		user, password, ip string
		advance            time.Duration // before the attempt
		want               string        // "ok", "fail" or "throttled"
		retryAfter         time.Duration // for "throttled"
	}
	fails := func(n int, user, ip string) []attempt {
		var a []attempt
		for i := 0; i < n; i++ {
			a = append(a, attempt{user: user, password: "wrong", ip: ip, advance: 30 * time.Second, want: "fail"})
		}
		return a
	}
	cat := func(parts ...[]attempt) []attempt {
		var a []attempt
		for _, p := range parts {
			a = append(a, p...)
		}
		return a
	}
	for _, tc := range []struct {
		name     string
		attempts []attempt
	}{
		{"five failures lock the user, even with the right password", cat(fails(5, "Alice", "192.0.2.1"), []attempt{
			{user: "Alice", password: "Alice-pw-1", ip: "192.0.2.2", want: "throttled", retryAfter: 13 * time.Minute},
		})},
		{"until the oldest failure leaves the window", cat(fails(5, "Alice", "192.0.2.1"), []attempt{
			{user: "Alice", password: "Alice-pw-1", ip: "192.0.2.1", advance: 13*time.Minute - time.Second, want: "throttled", retryAfter: time.Second},
			{user: "Alice", password: "Alice-pw-1", ip: "192.0.2.1", advance: time.Second, want: "ok"},
		})},
		{"the user's name in any case", cat(fails(3, "Alice", "192.0.2.1"), fails(2, "ALICE", "192.0.2.1"), []attempt{
			{user: "alice", password: "Alice-pw-1", ip: "192.0.2.9", want: "throttled", retryAfter: 13 * time.Minute},
		})},
		{"unknown users count too", cat(fails(5, "ghost", "192.0.2.1"), []attempt{
			{user: "ghost", password: "x", ip: "192.0.2.1", want: "throttled", retryAfter: 13 * time.Minute},
		})},
		{"a success clears the user's failures", cat(fails(4, "Alice", "192.0.2.1"), []attempt{
			{user: "Alice", password: "Alice-pw-1", ip: "192.0.2.1", want: "ok"},
		}, fails(4, "Alice", "192.0.2.1"), []attempt{
			{user: "Alice", password: "Alice-pw-1", ip: "192.0.2.1", want: "ok"},
		})},
		{"other users are not locked", cat(fails(5, "ghost", "192.0.2.1"), []attempt{
			{user: "", password: "Root-pw-1", ip: "192.0.2.1", want: "ok"},
		})},
		{"twenty failures lock the address", cat(
			fails(4, "u1", "192.0.2.1"), fails(4, "u2", "192.0.2.1"), fails(4, "u3", "192.0.2.1"),
			fails(4, "u4", "192.0.2.1"), fails(4, "u5", "192.0.2.1"), []attempt{
				{user: "Alice", password: "Alice-pw-1", ip: "192.0.2.1", want: "throttled", retryAfter: 5*time.Minute + 30*time.Second},
				{user: "Alice", password: "Alice-pw-1", ip: "192.0.2.2", want: "ok"},
			})},
		{"an IPv6 address by its /64", cat(
			fails(4, "u1", "2001:db8::1"), fails(4, "u2", "2001:db8::2"), fails(4, "u3", "2001:db8::3"),
			fails(4, "u4", "2001:db8::4"), fails(4, "u5", "2001:db8::5"), []attempt{
				{user: "Alice", password: "Alice-pw-1", ip: "2001:db8::ffff:1", want: "throttled", retryAfter: 5*time.Minute + 30*time.Second},
				{user: "Alice", password: "Alice-pw-1", ip: "2001:db8:0:1::1", want: "ok"},
			})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			for i, a := range tc.attempts {
				f.clock.advance(a.advance)
				_, _, err := f.v.SignIn(ctx, account, a.user, a.password, a.ip)
				var te *ThrottledError
				switch {
				case a.want == "ok" && err == nil, a.want == "fail" && err == ErrSignInFailed:
				case a.want == "throttled" && errors.As(err, &te):
					if te.RetryAfter != a.retryAfter {
						t.Errorf("attempt %d: RetryAfter = %v, want %v", i, te.RetryAfter, a.retryAfter)
					}
				default:
					t.Fatalf("attempt %d (%+v): err = %v", i, a, err)
				}
			}
		})
	}
}

// Parallel guesses cannot get more than the limit verified: each attempt
// is counted before its password is checked.
func TestSignInThrottlesParallelGuesses(t *testing.T) {
	f := newFixture(t)
	f.st.delay = 50 * time.Millisecond
	before := derivations.Load()
	var wg sync.WaitGroup
	var mu sync.Mutex
	throttled := 0
	for i := 0; i < 30; i++ {
		wg.Go(func() {
			_, _, err := f.v.SignIn(context.Background(), account, "Alice", "guess", "192.0.2.1")
			var te *ThrottledError
			if errors.As(err, &te) {
				mu.Lock()
				throttled++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if n := derivations.Load() - before; n != 5 || throttled != 25 {
		t.Errorf("%d passwords checked, %d throttled; want 5 and 25", n, throttled)
	}
}

func TestThrottleStaysBounded(t *testing.T) {
	th := newThrottle(Limit{Failures: 2, Window: time.Minute})
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	th.add("old", t0)
	for i := 0; i < maxTracked+500; i++ {
		th.add(strings.Repeat("k", 1+i%7)+string(rune('a'+i%26))+time.Duration(i).String(), t0.Add(2*time.Minute+time.Duration(i)))
	}
	if len(th.keys) > maxTracked {
		t.Fatalf("%d keys tracked, bound %d", len(th.keys), maxTracked)
	}
	if _, ok := th.keys["old"]; ok {
		t.Error("an expired key survived pruning")
	}
}
