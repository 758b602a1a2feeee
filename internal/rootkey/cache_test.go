package rootkey

import (
	"fmt"
	"testing"
	"time"
)

func TestUnsealCache(t *testing.T) {
	c := newUnsealCache(3, time.Minute)
	defer c.close()
	now := time.Now()
	c.now = func() time.Time { return now }
	key := func(i int) [32]byte { return cacheKey([]byte{byte(i)}, "ctx") }
	var held [][]byte
	for i := range 3 {
		v := fmt.Appendf(nil, "v%d", i)
		c.put(key(i), v)
		clear(v) // the cache keeps its own copy
	}
	if got := c.get(key(0)); string(got) != "v0" {
		t.Fatalf("get(0) = %q", got)
	}
	// Grab the cache's buffers to check they are cleared when dropped.
	c.mu.Lock()
	for _, el := range c.entries {
		held = append(held, el.Value.(*cacheEntry).value)
	}
	c.mu.Unlock()

	c.put(key(3), []byte("v3")) // evicts 1, the least recently used
	if c.get(key(1)) != nil || string(c.get(key(0))) != "v0" || string(c.get(key(2))) != "v2" {
		t.Fatal("LRU eviction")
	}
	now = now.Add(30 * time.Second)
	c.put(key(4), []byte("v4")) // evicts 3
	now = now.Add(40 * time.Second)
	c.expire() // 0 and 2 are 70 s old
	if c.len() != 1 || string(c.get(key(4))) != "v4" {
		t.Fatalf("after expiry: %d entries", c.len())
	}
	now = now.Add(time.Minute)
	if c.get(key(4)) != nil {
		t.Fatal("expired entry served")
	}
	for _, b := range held {
		for _, x := range b {
			if x != 0 {
				t.Fatalf("a dropped buffer was not cleared: %q", b)
			}
		}
	}
	// Same sealed bytes, other context: another key; no ambiguity from
	// moving bytes between the context and the sealed value.
	if cacheKey([]byte("b"), "a") == cacheKey([]byte("ab"), "") || cacheKey([]byte{1}, "x") == cacheKey([]byte{1}, "y") {
		t.Fatal("cache keys collide")
	}
	c.close()
	c.put(key(5), []byte("v5"))
	if c.len() != 0 || c.get(key(5)) != nil {
		t.Fatal("the cache works after close")
	}
	if newUnsealCache(0, time.Minute) != nil || newUnsealCache(-1, time.Minute) != nil {
		t.Fatal("a zero or negative size must disable the cache")
	}
	var none *unsealCache
	none.put(key(1), []byte("x"))
	if none.get(key(1)) != nil {
		t.Fatal("nil cache")
	}
}

func TestUnsealCacheJanitor(t *testing.T) {
	c := newUnsealCache(10, time.Millisecond) // janitor every second
	defer c.close()
	c.put(cacheKey(nil, "a"), []byte("x"))
	deadline := time.Now().Add(5 * time.Second)
	for c.len() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the janitor did not drop an expired entry")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
