//go:build cgo

package pkcs11

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	mp "github.com/miekg/pkcs11"
)

// DefaultPoolSessions is the number of sessions a Pool keeps when none is
// given.
const DefaultPoolSessions = 4

// Pool is a pool of logged-in sessions on one token, for operations that
// many goroutines run at once (the root key's seal and unseal, an XKS
// proxy's encrypt and decrypt). It is safe for concurrent use; Close it
// when done.
//
// The token is opened once with Open (module loading, token selection,
// the first login); the pooled sessions run on that same loaded module.
// When the token answers that a session or the login is gone
// (CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_DEVICE_REMOVED,
// CKR_TOKEN_NOT_PRESENT, CKR_USER_NOT_LOGGED_IN, CKR_KEY_HANDLE_INVALID,
// CKR_OBJECT_HANDLE_INVALID, CKR_DEVICE_ERROR, …: an HSM restart, a network
// HSM reconnecting), every pooled session is dropped, the token is looked
// up again by label and serial, a new session is opened and logged in with
// the remembered PIN, keys are found again, and the operation is retried
// once.
type Pool struct {
	anchor *Token // holds the module loaded and initialised
	ctx    *mp.Ctx
	info   TokenInfo
	pin    pinMemo

	mu   sync.Mutex // guards slot, gen
	slot uint
	gen  uint64 // bumped when the token loses its sessions

	slots chan struct{} // one per session that may be in use
	idle  chan *poolSession
	// closing is set by Close before it waits for operations to end.
	closing atomic.Bool
	closed  sync.Once

	calls     atomic.Int64 // C_Encrypt and C_Decrypt calls
	recovered atomic.Int64
}

// OpenPool opens the token cfg selects (see Open) and a pool of up to
// sessions sessions on it (0: DefaultPoolSessions). cfg.PIN is called at
// most once; the PIN is kept in memory to log in again after the token
// restarts. One session is opened now, so that a token that cannot open
// one fails here rather than at the first operation. The caller must
// Close the Pool.
func OpenPool(cfg Config, sessions int) (*Pool, error) {
	if sessions <= 0 {
		sessions = DefaultPoolSessions
	}
	p := &Pool{slots: make(chan struct{}, sessions), idle: make(chan *poolSession, sessions)}
	p.pin.fn = cfg.PIN
	if cfg.PIN != nil {
		cfg.PIN = p.pin.get
	}
	tok, err := Open(cfg)
	if err != nil {
		return nil, err
	}
	p.anchor, p.ctx, p.info, p.slot = tok, tok.ctx, tok.info, tok.info.Slot
	s, err := p.get()
	if err != nil {
		_ = tok.Close()
		return nil, err
	}
	p.put(s)
	return p, nil
}

// Token is the token the pool was opened on, with its own session, for
// what the pool does not do (finding objects, reading attributes, key
// check values). After a token restart its session may be gone; the
// pool's operations do not depend on it.
func (p *Pool) Token() *Token { return p.anchor }

// Info describes the token.
func (p *Pool) Info() TokenInfo { return p.info }

// Calls returns how many C_Encrypt and C_Decrypt calls the pool has made.
func (p *Pool) Calls() int64 { return p.calls.Load() }

// Recoveries returns how many times the pool dropped its sessions and
// logged in again after the token lost them.
func (p *Pool) Recoveries() int64 { return p.recovered.Load() }

// Close waits for operations in progress, closes the sessions and the
// token, which finalises the module if nothing else in the process uses
// it. Operations after Close fail with ErrPoolClosed.
func (p *Pool) Close() error {
	p.closed.Do(func() {
		p.closing.Store(true)
		for range cap(p.slots) {
			p.slots <- struct{}{}
		}
		for s := p.takeIdle(); s != nil; s = p.takeIdle() {
			_ = p.ctx.CloseSession(s.h)
		}
		// The anchor's own session may be gone (a token restart): its
		// error says nothing about this close.
		_ = p.anchor.Close()
		// Callers that were waiting for a session now see the pool closed.
		for range cap(p.slots) {
			<-p.slots
		}
	})
	return nil
}

// do runs op on a pooled session. If the token lost the session (or the
// login), every pooled session is dropped, and op runs once more on a new,
// logged-in session.
func (p *Pool) do(op func(*poolSession) error) error {
	for attempt := 0; ; attempt++ {
		s, err := p.get()
		if err != nil {
			if attempt == 0 && isSessionLost(err) {
				continue // get has recorded the loss
			}
			return err
		}
		err = op(s)
		switch {
		case err == nil:
			p.put(s)
			return nil
		case isSessionLost(err) && attempt == 0:
			p.lost(s.gen)
			p.discard(s)
			continue
		case errors.Is(err, ErrDecryptFailed) && !IsCode(err, "CKR_GENERAL_ERROR"):
			// The operation ended with the error (PKCS#11 terminates it);
			// the session is fine.
			p.put(s)
			return err
		default:
			// An operation may be left active: do not reuse the session.
			p.discard(s)
			return err
		}
	}
}

// mustFindKey is the error of a session that finds no unique key.
func (p *Pool) mustFindKey(k PoolKey, n int) error {
	if n == 0 {
		return fmt.Errorf("token %q: 0 secret keys match %s, want exactly 1 (was the key changed or deleted?): %w", p.info.Label, k, ErrKeyNotFound)
	}
	return fmt.Errorf("token %q: %d secret keys match %s, want exactly 1 (was the key changed or deleted?)", p.info.Label, n, k)
}
