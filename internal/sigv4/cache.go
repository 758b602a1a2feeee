package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"strings"
	"sync"
	"sync/atomic"
)

// maxCachedKeys bounds the signing-key cache. A key is derived per access key
// and UTC day, and the clock check admits at most two days at once, so this
// covers about 500 active access keys; past it an arbitrary entry is evicted,
// which only costs a re-derivation (four HMACs) later.
const maxCachedKeys = 1024

// keyCache memoises SigV4 signing keys. Deriving one costs four HMAC-SHA256
// operations, several times the cost of verifying a small request with a
// known key. Reads take no lock: the map is immutable once published and a
// miss publishes a modified copy (misses happen once per access key and day,
// and a client cannot force more, since the entry is checked against the
// secret Lookup returns, not against anything in the request). The zero value
// is ready to use; it is safe for concurrent use.
type keyCache struct {
	entries atomic.Pointer[map[keyID]*cachedKey]
	mu      sync.Mutex // serialises writers
}

type keyID struct {
	accessKeyID, date, region, service string
}

type cachedKey struct {
	// secret is a copy of the secret the key was derived from. A lookup that
	// returns a different secret (the key was rotated or replaced) misses, so
	// a stale signing key is never used.
	secret []byte
	key    [32]byte
	// macs pools HMAC states keyed with key. Resetting a used HMAC restores
	// its precomputed pads, which saves allocating two SHA-256 states and
	// hashing the pads on every request.
	macs sync.Pool
}

// pooledMAC is an HMAC state with its own output buffer: a buffer on the
// caller's stack would escape through the hash.Hash interface.
type pooledMAC struct {
	h   hash.Hash
	out []byte
}

func newSigningKey(key [32]byte) *cachedKey {
	k := &cachedKey{key: key}
	k.macs.New = func() any {
		return &pooledMAC{h: hmac.New(sha256.New, k.key[:]), out: make([]byte, 0, sha256.Size)}
	}
	return k
}

// mac returns HMAC-SHA256(key, msg).
func (k *cachedKey) mac(msg []byte) (sum [32]byte) {
	m := k.macs.Get().(*pooledMAC)
	m.h.Reset()
	m.h.Write(msg)
	m.out = m.h.Sum(m.out[:0])
	copy(sum[:], m.out)
	k.macs.Put(m)
	return sum
}

// signingKey returns the signing key for the scope, derived from secret.
func (c *keyCache) signingKey(accessKeyID, date, region, service string, secret []byte) *cachedKey {
	id := keyID{accessKeyID, date, region, service}
	var e *cachedKey
	if m := c.entries.Load(); m != nil {
		e = (*m)[id]
	}
	// Constant-time comparison: how long the check takes must not tell an
	// observer how much of a guessed secret matches the real one.
	if e != nil && hmac.Equal(e.secret, secret) {
		return e
	}
	e = newSigningKey(deriveSigningKey(secret, date, region, service))
	e.secret = bytes.Clone(secret)
	// Clone the strings: they are substrings of the request's headers, which
	// the cache must not keep alive.
	id = keyID{strings.Clone(accessKeyID), strings.Clone(date), strings.Clone(region), strings.Clone(service)}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.entries.Load()
	next := make(map[keyID]*cachedKey, 1+min(maxCachedKeys, lenOf(old)))
	if old != nil {
		for k, v := range *old {
			if len(next) >= maxCachedKeys-1 {
				break // map order is unspecified: the rest are a cheap random eviction
			}
			if k != id {
				next[k] = v
			}
		}
	}
	next[id] = e
	c.entries.Store(&next)
	return e
}

func lenOf(m *map[keyID]*cachedKey) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// deriveSigningKey is the SigV4 key chain:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveSigningKey(secret []byte, date, region, service string) [32]byte {
	k := make([]byte, 0, 4+len(secret))
	k = append(append(k, "AWS4"...), secret...)
	kDate := hmacSHA256(k, []byte(date))
	clear(k) // do not leave a copy of the secret behind
	kRegion := hmacSHA256(kDate[:], []byte(region))
	kService := hmacSHA256(kRegion[:], []byte(service))
	return hmacSHA256(kService[:], []byte(terminator))
}

func hmacSHA256(key, msg []byte) (sum [32]byte) {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	m.Sum(sum[:0])
	return sum
}
