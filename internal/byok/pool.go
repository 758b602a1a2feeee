package byok

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// Pool keeps a few RSA wrapping key pairs of each spec generated ahead of
// time, so that GetParametersForImport does not wait for RSA key generation
// (seconds for RSA_4096). A spec is filled in the background from the first
// time it is asked for, or from Warm. Pairs in the pool exist only in memory;
// once handed out they are sealed and stored by the caller.
type Pool struct {
	size int
	log  *slog.Logger

	mu    sync.Mutex
	specs map[string]chan *rsa.PrivateKey
	done  chan struct{}
	wg    sync.WaitGroup
}

// NewPool returns a pool keeping size pairs of each spec ready. A size of
// zero keeps none: each Get generates its pair on the spot.
func NewPool(size int, log *slog.Logger) *Pool {
	if log == nil {
		log = slog.Default()
	}
	return &Pool{size: max(size, 0), log: log, specs: make(map[string]chan *rsa.PrivateKey), done: make(chan struct{})}
}

// Warm starts filling the given specs now.
func (p *Pool) Warm(specs ...string) {
	if p.size == 0 {
		return
	}
	for _, s := range specs {
		p.channel(s)
	}
}

// Get returns a fresh key pair of spec, waiting for one if the pool is
// empty. Each pair is returned once.
func (p *Pool) Get(ctx context.Context, spec string) (*rsa.PrivateKey, error) {
	if Bits(spec) == 0 {
		return nil, fmt.Errorf("byok: no RSA wrapping key spec %q", spec)
	}
	// Cancellation and Close win over a ready key: select alone would
	// choose at random among ready cases.
	if err := p.usable(ctx); err != nil {
		return nil, err
	}
	if p.size == 0 {
		return rsa.GenerateKey(rand.Reader, Bits(spec))
	}
	ch := p.channel(spec)
	if ch == nil {
		return nil, errPoolClosed
	}
	select {
	case k := <-ch:
		return k, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.done:
		return nil, errPoolClosed
	}
}

var errPoolClosed = errors.New("byok: wrapping key pool closed")

func (p *Pool) usable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-p.done:
		return errPoolClosed
	default:
		return nil
	}
}

// channel returns spec's channel, starting its filler on first use; nil
// once the pool is closed, so that no filler starts after Close.
func (p *Pool) channel(spec string) chan *rsa.PrivateKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.done:
		return nil
	default:
	}
	ch, ok := p.specs[spec]
	if !ok {
		ch = make(chan *rsa.PrivateKey, p.size)
		p.specs[spec] = ch
		p.wg.Add(1)
		go p.fill(spec, ch)
	}
	return ch
}

func (p *Pool) fill(spec string, ch chan *rsa.PrivateKey) {
	defer p.wg.Done()
	for {
		k, err := rsa.GenerateKey(rand.Reader, Bits(spec))
		if err != nil {
			p.log.Error("generating a wrapping key failed", "spec", spec, "err", err)
			return
		}
		select {
		case ch <- k:
		case <-p.done:
			return
		}
	}
}

// Close stops the fillers and waits for them.
func (p *Pool) Close() {
	p.mu.Lock()
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	p.mu.Unlock()
	p.wg.Wait()
}
