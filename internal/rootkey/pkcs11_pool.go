//go:build cgo

// The HSM's pool of sessions, and recovery when the token loses them.

package rootkey

import (
	"errors"
	"strings"

	mp "github.com/miekg/pkcs11"
)

// do runs op on a pooled session. If the token lost the session (or the
// login), every pooled session is dropped, and op runs once more on a new,
// logged-in session.
func (h *HSM) do(op func(*session) error) error {
	for attempt := 0; ; attempt++ {
		s, err := h.get()
		if err != nil {
			if attempt == 0 && isSessionLost(err) {
				continue // get has recorded the loss
			}
			return err
		}
		err = op(s)
		switch {
		case err == nil:
			h.put(s)
			return nil
		case isSessionLost(err) && attempt == 0:
			h.lost(s.gen)
			h.discard(s)
			continue
		case isDataError(err) && !isRV(err, mp.CKR_GENERAL_ERROR):
			// The operation ended with the error (PKCS#11 terminates it);
			// the session is fine.
			h.put(s)
			return err
		default:
			// An operation may be left active: do not reuse the session.
			h.discard(s)
			return err
		}
	}
}

func (h *HSM) generation() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gen
}

// lost records that the sessions of generation gen are gone: sessions of
// older generations are closed when next taken, and the token's slot is
// looked up again (a reconnected token may sit in another slot). The
// caller holds a session slot, so Close cannot release the module meanwhile.
func (h *HSM) lost(gen uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gen != gen {
		return // another operation has already seen it
	}
	h.gen++
	h.reopened.Add(1)
	if slot, ok := h.findSlot(); ok {
		h.slot = slot
	}
}

// findSlot finds the token by serial and label among the module's slots.
func (h *HSM) findSlot() (uint, bool) {
	ids, err := h.ctx.GetSlotList(true)
	if err != nil {
		return 0, false
	}
	for _, id := range ids {
		ti, err := h.ctx.GetTokenInfo(id)
		if err == nil && strings.TrimRight(ti.Label, " \x00") == h.info.Label &&
			strings.TrimRight(ti.SerialNumber, " \x00") == h.info.Serial {
			return id, true
		}
	}
	return 0, false
}

// get takes a session from the pool, opening one if there is no current
// one idle. It blocks while every session is in use.
func (h *HSM) get() (*session, error) {
	if h.closing.Load() {
		return nil, errors.New("rootkey: the HSM root key is closed")
	}
	h.slots <- struct{}{}
	if h.closing.Load() {
		<-h.slots
		return nil, errors.New("rootkey: the HSM root key is closed")
	}
	gen := h.generation()
	for s := h.takeIdle(); s != nil; s = h.takeIdle() {
		if s.gen == gen {
			return s, nil
		}
		_ = h.ctx.CloseSession(s.h) // of a lost generation: most likely invalid already
	}
	s, err := h.open(gen)
	if err != nil {
		if isSessionLost(err) {
			h.lost(gen)
		}
		<-h.slots
		return nil, err
	}
	return s, nil
}

// takeIdle returns an idle session, or nil.
func (h *HSM) takeIdle() *session {
	select {
	case s := <-h.idle:
		return s
	default:
		return nil
	}
}

// put returns a session to the pool.
func (h *HSM) put(s *session) {
	h.idle <- s
	<-h.slots
}

// discard closes a session instead of returning it.
func (h *HSM) discard(s *session) {
	_ = h.ctx.CloseSession(s.h)
	<-h.slots
}
