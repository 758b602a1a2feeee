//go:build cgo

// The Pool's sessions: taking and returning them, opening one (and logging
// in again with the remembered PIN), and recovery when the token loses them.

package pkcs11

import (
	"errors"
	"fmt"
	"sync"

	mp "github.com/miekg/pkcs11"
)

type poolSession struct {
	h    mp.SessionHandle
	gen  uint64
	keys map[string]mp.ObjectHandle // PoolKey.cacheKey → handle in this session
}

// pinMemo calls the configured PIN function once and keeps the PIN, so
// that a login after a token restart needs no prompt.
type pinMemo struct {
	mu  sync.Mutex
	fn  func(TokenInfo) (string, error)
	pin string
	ok  bool
}

func (m *pinMemo) get(info TokenInfo) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ok {
		return m.pin, nil
	}
	if m.fn == nil {
		return "", errors.New("the token needs a login and no PIN was given: set TRENT_PKCS11_PIN or give a PIN file")
	}
	pin, err := m.fn(info)
	if err != nil {
		return "", err
	}
	m.pin, m.ok = pin, true
	return pin, nil
}

func (p *Pool) generation() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gen
}

// lost records that the sessions of generation gen are gone: sessions of
// older generations are closed when next taken, and the token's slot is
// looked up again (a reconnected token may sit in another slot). The
// caller holds a session slot, so Close cannot release the module meanwhile.
func (p *Pool) lost(gen uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gen != gen {
		return // another operation has already seen it
	}
	p.gen++
	p.recovered.Add(1)
	if slot, ok := p.findSlot(); ok {
		p.slot = slot
	}
}

// findSlot finds the token by serial and label among the module's slots.
func (p *Pool) findSlot() (uint, bool) {
	ids, err := p.ctx.GetSlotList(true)
	if err != nil {
		return 0, false
	}
	for _, id := range ids {
		ti, err := p.ctx.GetTokenInfo(id)
		if err == nil && trimPad(ti.Label) == p.info.Label && trimPad(ti.SerialNumber) == p.info.Serial {
			return id, true
		}
	}
	return 0, false
}

// get takes a session from the pool, opening one if there is no current
// one idle. It blocks while every session is in use.
func (p *Pool) get() (*poolSession, error) {
	if p.closing.Load() {
		return nil, ErrPoolClosed
	}
	p.slots <- struct{}{}
	if p.closing.Load() {
		<-p.slots
		return nil, ErrPoolClosed
	}
	gen := p.generation()
	for s := p.takeIdle(); s != nil; s = p.takeIdle() {
		if s.gen == gen {
			return s, nil
		}
		_ = p.ctx.CloseSession(s.h) // of a lost generation: most likely invalid already
	}
	s, err := p.open(gen)
	if err != nil {
		if isSessionLost(err) {
			p.lost(gen)
		}
		<-p.slots
		return nil, err
	}
	return s, nil
}

func (p *Pool) takeIdle() *poolSession {
	select {
	case s := <-p.idle:
		return s
	default:
		return nil
	}
}

func (p *Pool) put(s *poolSession) {
	p.idle <- s
	<-p.slots
}

// discard closes a session instead of returning it.
func (p *Pool) discard(s *poolSession) {
	_ = p.ctx.CloseSession(s.h)
	<-p.slots
}

// open opens a session and logs in if the token needs it and the session
// is not logged in already (a login holds for every session of the
// process).
func (p *Pool) open(gen uint64) (*poolSession, error) {
	p.mu.Lock()
	slot := p.slot
	p.mu.Unlock()
	sh, err := p.ctx.OpenSession(slot, mp.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, p11err("C_OpenSession", err, "")
	}
	if p.info.LoginRequired() && p.pin.fn != nil {
		si, err := p.ctx.GetSessionInfo(sh)
		if err == nil && si.State != mp.CKS_RO_USER_FUNCTIONS && si.State != mp.CKS_RW_USER_FUNCTIONS {
			var pin string
			if pin, err = p.pin.get(p.info); err == nil {
				if err = p.ctx.Login(sh, mp.CKU_USER, pin); isRV(err, mp.CKR_USER_ALREADY_LOGGED_IN) {
					err = nil
				} else if err != nil {
					err = p11err("C_Login", err, "")
				}
			}
		} else if err != nil {
			err = p11err("C_GetSessionInfo", err, "")
		}
		if err != nil {
			_ = p.ctx.CloseSession(sh)
			return nil, fmt.Errorf("token %q: %w", p.info.Label, err)
		}
	}
	return &poolSession{h: sh, gen: gen, keys: map[string]mp.ObjectHandle{}}, nil
}

// isSessionLost reports the codes after which a fresh session (and login)
// may succeed: the token restarted, was reconnected, or forgot the login.
func isSessionLost(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case mp.CKR_SESSION_HANDLE_INVALID, mp.CKR_SESSION_CLOSED, mp.CKR_DEVICE_REMOVED,
		mp.CKR_TOKEN_NOT_PRESENT, mp.CKR_USER_NOT_LOGGED_IN, mp.CKR_KEY_HANDLE_INVALID,
		mp.CKR_OBJECT_HANDLE_INVALID, mp.CKR_DEVICE_ERROR, mp.CKR_TOKEN_NOT_RECOGNIZED, mp.CKR_SLOT_ID_INVALID:
		return true
	}
	return false
}
