package kms

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// cache holds immutable snapshots of keys, alias targets and unsealed key
// material. Snapshots are replaced, never mutated, so a reader may use one
// after releasing the lock.
//
// Unsealed material is cached by material ID: an ID is derived from the
// material itself, so the bytes behind an ID never change, and a deleted or
// expired material is refused by the key's state before its bytes are used.
//
// With a TTL (Config.CacheTTL), a key or alias snapshot is used only while
// younger than the TTL, measured from before the store read that produced
// it: a change committed by another node is seen by every lookup that
// starts more than one TTL after the commit.
type cache struct {
	ttl time.Duration

	// Lookup counts, for metrics; updated atomically, never reset.
	keyHits, keyMisses, aliasHits, aliasMisses, matHits, matMisses atomic.Uint64

	mu        sync.RWMutex
	keys      map[string]cachedKey
	aliases   map[string]cachedAlias
	materials map[string][]byte
}

type cachedKey struct {
	key *store.Key
	at  time.Time
}

type cachedAlias struct {
	keyID string
	at    time.Time
}

func newCache(ttl time.Duration) *cache {
	return &cache{
		ttl:       ttl,
		keys:      make(map[string]cachedKey),
		aliases:   make(map[string]cachedAlias),
		materials: make(map[string][]byte),
	}
}

func (c *cache) fresh(at, now time.Time) bool {
	return c.ttl == 0 || now.Sub(at) < c.ttl
}

// key returns the cached snapshot of key id, or nil.
func (c *cache) key(id string, now time.Time) *store.Key {
	c.mu.RLock()
	e, ok := c.keys[id]
	c.mu.RUnlock()
	if !ok || !c.fresh(e.at, now) {
		c.keyMisses.Add(1)
		return nil
	}
	c.keyHits.Add(1)
	return e.key
}

// putKey caches k unless a newer version is cached already.
func (c *cache) putKey(k *store.Key, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.keys[k.ID]; ok && e.key.Version > k.Version {
		return
	}
	c.keys[k.ID] = cachedKey{key: k, at: now}
}

// dropKey forgets key k, its unsealed materials and aliases pointing to it.
func (c *cache) dropKey(k *store.Key) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.keys, k.ID)
	for _, m := range k.Materials {
		c.dropMaterialLocked(m.ID)
	}
	for name, a := range c.aliases {
		if a.keyID == k.ID {
			delete(c.aliases, name)
		}
	}
}

func (c *cache) alias(name string, now time.Time) (string, bool) {
	c.mu.RLock()
	e, ok := c.aliases[name]
	c.mu.RUnlock()
	if !ok || !c.fresh(e.at, now) {
		c.aliasMisses.Add(1)
		return "", false
	}
	c.aliasHits.Add(1)
	return e.keyID, true
}

func (c *cache) putAlias(name, keyID string, now time.Time) {
	c.mu.Lock()
	c.aliases[name] = cachedAlias{keyID: keyID, at: now}
	c.mu.Unlock()
}

func (c *cache) dropAlias(name string) {
	c.mu.Lock()
	delete(c.aliases, name)
	c.mu.Unlock()
}

func (c *cache) material(id string) []byte {
	c.mu.RLock()
	m := c.materials[id]
	c.mu.RUnlock()
	if m == nil {
		c.matMisses.Add(1)
	} else {
		c.matHits.Add(1)
	}
	return m
}

func (c *cache) putMaterial(id string, m []byte) {
	c.mu.Lock()
	c.materials[id] = m
	c.mu.Unlock()
}

func (c *cache) dropMaterial(id string) {
	c.mu.Lock()
	c.dropMaterialLocked(id)
	c.mu.Unlock()
}

func (c *cache) dropMaterialLocked(id string) {
	if m, ok := c.materials[id]; ok {
		clear(m)
		delete(c.materials, id)
	}
}

// CacheStats counts the lookups of a Service's caches since it started.
// A miss of the key or alias cache is a store read; a miss of the material
// cache is an unseal under the root key.
type CacheStats struct {
	KeyHits, KeyMisses           uint64
	AliasHits, AliasMisses       uint64
	MaterialHits, MaterialMisses uint64
}

// CacheStats returns the lookup counts of the service's caches.
func (s *Service) CacheStats() CacheStats {
	c := s.cache
	return CacheStats{
		KeyHits: c.keyHits.Load(), KeyMisses: c.keyMisses.Load(),
		AliasHits: c.aliasHits.Load(), AliasMisses: c.aliasMisses.Load(),
		MaterialHits: c.matHits.Load(), MaterialMisses: c.matMisses.Load(),
	}
}
