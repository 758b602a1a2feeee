package login

import (
	"net"
	"time"
)

// Limit is how many failed sign-ins a throttle allows in a sliding window.
type Limit struct {
	Failures int
	Window   time.Duration
}

// Throttle bounds of a Verifier. They are per node and in memory: a
// cluster of N nodes allows N times as many guesses, and a restart forgets
// them, which at 5 guesses per 15 minutes still leaves a guesser of a
// policy-conforming password nowhere.
var (
	// DefaultUserLimit is per (account, user name): 5 failures in 15
	// minutes, then the user cannot sign in until the oldest of them is 15
	// minutes old. An attacker can so keep a user out; the per-IP limit
	// keeps that to users whose names the attacker knows, from few
	// addresses.
	DefaultUserLimit = Limit{Failures: 5, Window: 15 * time.Minute}
	// DefaultIPLimit is per source address (an IPv6 address by its /64,
	// which one client commonly holds whole): 20 failures in 15 minutes,
	// more than per user since one NAT may front a whole office.
	DefaultIPLimit = Limit{Failures: 20, Window: 15 * time.Minute}
)

// maxTracked bounds the keys each throttle map holds. When it is full,
// keys whose failures have all left the window are dropped, and failing
// that the key with the oldest latest failure: a flood of fresh names or
// addresses then forgets the quietest ones first.
const maxTracked = 10000

// ThrottledError is a sign-in refused, before its password was checked,
// because of too many recent failures for the user or the address.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return "login: too many failed sign-ins; retry after " + e.RetryAfter.Round(time.Second).String()
}

// throttle counts failures per key in a sliding window. It keeps, per key,
// the times of the last Limit.Failures attempts that were not successes.
// Its owner serialises the calls (Verifier.mu), so that checking and
// recording an attempt, on both throttles, is one step.
type throttle struct {
	limit Limit
	keys  map[string][]time.Time // ascending
}

func newThrottle(l Limit) *throttle {
	return &throttle{limit: l, keys: make(map[string][]time.Time)}
}

// retryAfter is how long key must wait before its next attempt; zero if it
// may try now.
func (t *throttle) retryAfter(key string, now time.Time) time.Duration {
	ts := t.keys[key]
	if len(ts) < t.limit.Failures {
		return 0
	}
	if d := ts[0].Add(t.limit.Window).Sub(now); d > 0 {
		return d
	}
	return 0
}

// add records an attempt at now for key, as a failure until forget
// removes it.
func (t *throttle) add(key string, now time.Time) {
	ts, ok := t.keys[key]
	if !ok && len(t.keys) >= maxTracked {
		t.prune(now)
	}
	ts = append(ts, now)
	if len(ts) > t.limit.Failures {
		ts = append(ts[:0:0], ts[len(ts)-t.limit.Failures:]...)
	}
	t.keys[key] = ts
}

// forget removes the attempt recorded at at for key (a success), or all
// of key's when all is set.
func (t *throttle) forget(key string, at time.Time, all bool) {
	ts := t.keys[key]
	for i := len(ts) - 1; i >= 0 && !all; i-- {
		if ts[i].Equal(at) {
			ts = append(ts[:i:i], ts[i+1:]...)
			break
		}
	}
	if all || len(ts) == 0 {
		delete(t.keys, key)
		return
	}
	t.keys[key] = ts
}

// prune makes room: it drops keys with no failure in the window, and if
// none is, the key whose latest failure is the oldest.
func (t *throttle) prune(now time.Time) {
	var oldest string
	var oldestAt time.Time
	for k, ts := range t.keys {
		last := ts[len(ts)-1]
		if now.Sub(last) >= t.limit.Window {
			delete(t.keys, k)
			continue
		}
		if oldest == "" || last.Before(oldestAt) {
			oldest, oldestAt = k, last
		}
	}
	if len(t.keys) >= maxTracked {
		delete(t.keys, oldest)
	}
}

// ipKey is the throttle key of a source address: an IPv6 address by its
// /64, anything unparsable (no address) as itself.
func ipKey(sourceIP string) string {
	ip := net.ParseIP(sourceIP)
	if ip == nil {
		return "?" + sourceIP
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
