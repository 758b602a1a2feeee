//go:build cgo

// Opening a pooled session: logging in (again, after a token restart, with
// the remembered PIN) when the token needs it, and finding the root key.

package rootkey

import (
	"errors"
	"fmt"
	"sync"

	mp "github.com/miekg/pkcs11"

	"github.com/trent-kms/trent/internal/pkcs11"
)

type session struct {
	h   mp.SessionHandle
	key mp.ObjectHandle
	gen uint64
}

// pinMemo calls the configured PIN function once and keeps the PIN, so
// that a login after a token restart needs no prompt.
type pinMemo struct {
	mu  sync.Mutex
	fn  func(pkcs11.TokenInfo) (string, error)
	pin string
	ok  bool
}

func (p *pinMemo) get(info pkcs11.TokenInfo) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ok {
		return p.pin, nil
	}
	if p.fn == nil {
		return "", errors.New("the token needs a login and no PIN was given: set TRENT_PKCS11_PIN or give a PIN file")
	}
	pin, err := p.fn(info)
	if err != nil {
		return "", err
	}
	p.pin, p.ok = pin, true
	return pin, nil
}

// open opens a session, logs in if the token needs it and the session is
// not logged in already (a login holds for every session of the process),
// and finds the root key.
func (h *HSM) open(gen uint64) (*session, error) {
	h.mu.Lock()
	slot := h.slot
	h.mu.Unlock()
	sh, err := h.ctx.OpenSession(slot, mp.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, tokenError("C_OpenSession", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = h.ctx.CloseSession(sh)
		}
	}()
	if h.info.LoginRequired() {
		si, err := h.ctx.GetSessionInfo(sh)
		if err != nil {
			return nil, tokenError("C_GetSessionInfo", err)
		}
		if si.State != mp.CKS_RO_USER_FUNCTIONS && si.State != mp.CKS_RW_USER_FUNCTIONS {
			pin, err := h.pin.get(h.info)
			if err != nil {
				return nil, fmt.Errorf("rootkey: %w", err)
			}
			if err := h.ctx.Login(sh, mp.CKU_USER, pin); err != nil && !isRV(err, mp.CKR_USER_ALREADY_LOGGED_IN) {
				return nil, tokenError("C_Login", err)
			}
		}
	}
	key, err := h.findKey(sh)
	if err != nil {
		return nil, err
	}
	ok = true
	return &session{h: sh, key: key, gen: gen}, nil
}
