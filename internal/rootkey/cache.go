package rootkey

import (
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"time"
)

// unsealCache is a bounded LRU of unsealed values with a time to live, so
// that repeated Unseal calls of the same sealed value do not each go to
// the token. Entries are keyed by a hash of the context and the sealed
// bytes: a hit means byte-identical input, which the token authenticated
// when the entry was made. It holds its own copies of the plaintexts, hands
// out copies, and clears every buffer it drops (evicted, expired, or at
// close).
type unsealCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	now     func() time.Time
	order   *list.List // front: most recently used; values are *cacheEntry
	entries map[[32]byte]*list.Element
	stop    chan struct{}
	done    chan struct{}
}

type cacheEntry struct {
	key     [32]byte
	value   []byte
	expires time.Time
}

// newUnsealCache returns a cache of at most size entries, each kept at most
// ttl after it was added. A janitor drops expired entries every ttl/2 (at
// least every second), so plaintexts do not outlive their TTL by much even
// when nobody asks for them again. size <= 0 returns nil: no caching.
func newUnsealCache(size int, ttl time.Duration) *unsealCache {
	if size <= 0 || ttl <= 0 {
		return nil
	}
	c := &unsealCache{max: size, ttl: ttl, now: time.Now, order: list.New(),
		entries: make(map[[32]byte]*list.Element), stop: make(chan struct{}), done: make(chan struct{})}
	go c.janitor(max(ttl/2, time.Second))
	return c
}

// cacheKey hashes the context (length-prefixed, so no two pairs collide by
// shifting bytes between them) and the sealed value.
func cacheKey(sealed []byte, context string) [32]byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(context)))
	h.Write(n[:])
	h.Write([]byte(context))
	h.Write(sealed)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// get returns a copy of the cached plaintext, or nil.
func (c *unsealCache) get(k [32]byte) []byte {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return nil
	}
	e := el.Value.(*cacheEntry)
	if !c.now().Before(e.expires) {
		c.remove(el)
		return nil
	}
	c.order.MoveToFront(el)
	return append(make([]byte, 0, len(e.value)), e.value...)
}

// put stores a copy of value, evicting the least recently used entry when
// the cache is full.
func (c *unsealCache) put(k [32]byte, value []byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil { // closed
		return
	}
	if el, ok := c.entries[k]; ok {
		c.remove(el)
	}
	for c.order.Len() >= c.max {
		c.remove(c.order.Back())
	}
	e := &cacheEntry{key: k, value: append(make([]byte, 0, len(value)), value...), expires: c.now().Add(c.ttl)}
	c.entries[k] = c.order.PushFront(e)
}

// remove drops an entry and clears its plaintext. c.mu is held.
func (c *unsealCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	clear(e.value)
}

// expire drops every expired entry.
func (c *unsealCache) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for el := c.order.Front(); el != nil; {
		next := el.Next()
		if !now.Before(el.Value.(*cacheEntry).expires) {
			c.remove(el)
		}
		el = next
	}
}

func (c *unsealCache) janitor(every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.expire()
		}
	}
}

// len returns the number of entries.
func (c *unsealCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// close stops the janitor and clears every entry. Later puts are ignored.
func (c *unsealCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.entries == nil {
		c.mu.Unlock()
		return
	}
	for c.order.Len() > 0 {
		c.remove(c.order.Back())
	}
	c.entries = nil
	c.mu.Unlock()
	close(c.stop)
	<-c.done
}
