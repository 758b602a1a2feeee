package byok

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"
)

// The pool tests use RSA_2048 only: its keys take ~0.1–0.4 s each under
// -race, RSA_4096 would take seconds.

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// buffered reports how many keys of spec are ready in p.
func buffered(p *Pool, spec string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.specs[spec])
}

// waitBuffered waits until at least n keys of spec are ready.
func waitBuffered(t *testing.T, p *Pool, spec string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for buffered(p, spec) < n {
		if time.Now().After(deadline) {
			t.Fatalf("no %d %s keys ready after 60 s", n, spec)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPoolGetDistinct(t *testing.T) {
	p := NewPool(2, quietLogger())
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seen := map[string]bool{}
	for i := 0; i < 3; i++ { // one more than the pool holds
		k, err := p.Get(ctx, RSA2048)
		if err != nil {
			t.Fatalf("Get #%d: %v", i, err)
		}
		if k.N.BitLen() != 2048 || k.Size() != 256 {
			t.Fatalf("Get #%d: %d-bit key, want 2048", i, k.N.BitLen())
		}
		if err := k.Validate(); err != nil {
			t.Fatalf("Get #%d: invalid key: %v", i, err)
		}
		if seen[k.N.String()] {
			t.Fatalf("Get #%d returned a key already handed out", i)
		}
		seen[k.N.String()] = true
	}
}

func TestPoolGetUnknownSpec(t *testing.T) {
	p := NewPool(1, quietLogger())
	defer p.Close()
	for _, spec := range []string{"", SM2, "RSA_1024", "rsa_2048"} {
		t.Run(spec, func(t *testing.T) {
			if k, err := p.Get(context.Background(), spec); err == nil || k != nil {
				t.Fatalf("Get(%q) = %v, %v; want an error", spec, k, err)
			}
		})
	}
	p.mu.Lock()
	n := len(p.specs)
	p.mu.Unlock()
	if n != 0 {
		t.Errorf("Get of unknown specs started %d fillers", n)
	}
}

// TestPoolGetCancelled: with no key ready, a done context ends Get at once
// with ctx.Err().
func TestPoolGetCancelled(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want error
	}{{"cancelled", cancelled, context.Canceled}, {"deadline", expired, context.DeadlineExceeded}} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPool(1, quietLogger()) // fresh: its first key is ~0.1 s away
			defer p.Close()
			start := time.Now()
			k, err := p.Get(tc.ctx, RSA2048)
			if k != nil || err != tc.ctx.Err() || !errors.Is(err, tc.want) {
				t.Fatalf("Get = %v, %v; want nil, %v", k, err, tc.want)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Get took %v with a done context", d)
			}
		})
	}
	// A context cancelled while Get waits.
	t.Run("cancelled-while-waiting", func(t *testing.T) {
		p := NewPool(1, quietLogger())
		defer p.Close()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Millisecond, cancel)
		k, err := p.Get(ctx, RSA2048)
		if k != nil && err == nil {
			return // the key won the race; allowed
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Get = %v, %v; want context.Canceled", k, err)
		}
	})
}

// TestPoolGetCancelledWithKeyReady: a done context must win even when a
// key is ready.
func TestPoolGetCancelledWithKeyReady(t *testing.T) {
	p := NewPool(1, quietLogger())
	defer p.Close()
	p.Warm(RSA2048)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for round := 0; round < 10; round++ {
		waitBuffered(t, p, RSA2048, 1)
		k, err := p.Get(ctx, RSA2048)
		if err == nil {
			regression(t, "Get with a cancelled context returned a key (round %d): pool.go's Get selects on the key channel and ctx.Done() together, and select picks at random among ready cases; check ctx.Err() (and p.done) before the select", round)
		}
		if k != nil || err != ctx.Err() {
			t.Fatalf("Get = %v, %v; want nil, %v", k, err, ctx.Err())
		}
	}
}

// TestPoolClose: Close returns promptly (it waits for at most the one key
// being generated) and later Gets fail, even with keys still buffered.
func TestPoolClose(t *testing.T) {
	p := NewPool(1, quietLogger())
	p.Warm(RSA2048)
	waitBuffered(t, p, RSA2048, 1) // the filler now makes the next key
	start := time.Now()
	p.Close()
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("Close took %v", d)
	}
	p.Close() // idempotent

	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		start := time.Now()
		k, err := p.Get(ctx, RSA2048)
		cancel()
		if err == nil {
			regression(t, "Get on a closed pool returned a buffered key (attempt %d): pool.go's Get selects on the key channel and p.done together, and select picks at random among ready cases; check p.done before the select", i)
		}
		if k != nil || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Get after Close = %v, %v; want a pool-closed error", k, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Get after Close took %v", d)
		}
	}
}

// TestPoolGetAfterCloseStartsNoFiller: a Get of a spec not yet used, on a
// closed pool, fails at once and starts no key generation.
func TestPoolGetAfterCloseStartsNoFiller(t *testing.T) {
	p := NewPool(1, quietLogger())
	p.Close()
	start := time.Now()
	k, err := p.Get(context.Background(), RSA2048)
	if k != nil || err == nil {
		t.Fatalf("Get after Close = %v, %v; want an error", k, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Get after Close took %v", d)
	}
	p.mu.Lock()
	started := len(p.specs)
	p.mu.Unlock()
	defer p.Close() // waits for the filler, if one was started
	if started != 0 {
		regression(t, "Get on a closed pool starts a filler goroutine (pool.go's channel() does not check p.done), which generates RSA keys after Close and calls wg.Add after Close's wg.Wait")
	}
}

// TestPoolSizeZero: a pool of size zero keeps no keys and generates each
// pair in Get; a negative size means zero.
func TestPoolSizeZero(t *testing.T) {
	for _, size := range []int{0, -1} {
		t.Run(fmt.Sprintf("size%d", size), func(t *testing.T) {
			p := NewPool(size, quietLogger())
			defer p.Close()
			p.Warm(RSA2048)
			p.mu.Lock()
			started := len(p.specs)
			p.mu.Unlock()
			if started != 0 {
				t.Fatalf("Warm on a size-%d pool started %d fillers", size, started)
			}
			a, err := p.Get(context.Background(), RSA2048)
			if err != nil || a.N.BitLen() != 2048 {
				t.Fatalf("Get = %v, %v", a, err)
			}
			b, err := p.Get(context.Background(), RSA2048)
			if err != nil || b.N.Cmp(a.N) == 0 {
				t.Fatalf("second Get = %v, %v; want a different key", b, err)
			}
			if k, err := p.Get(context.Background(), "RSA_1024"); err == nil || k != nil {
				t.Fatalf("Get(RSA_1024) = %v, %v; want an error", k, err)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		p := NewPool(0, quietLogger())
		defer p.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		k, err := p.Get(ctx, RSA2048)
		if err == nil {
			regression(t, "Get on a size-0 pool ignores its context: pool.go returns rsa.GenerateKey(...) before looking at ctx, so a cancelled request still generates (and returns) a key")
		}
		if k != nil || err != ctx.Err() {
			t.Fatalf("Get = %v, %v; want nil, %v", k, err, ctx.Err())
		}
	})
	t.Run("closed", func(t *testing.T) {
		p := NewPool(0, quietLogger())
		p.Close()
		k, err := p.Get(context.Background(), RSA2048)
		if err == nil {
			regression(t, "Get on a closed size-0 pool still generates and returns a key: pool.go's size-0 path does not look at p.done")
		}
		if k != nil {
			t.Fatalf("Get after Close = %v, %v; want an error", k, err)
		}
	})
}
