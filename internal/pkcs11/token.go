//go:build cgo

package pkcs11

import (
	"errors"
	"fmt"
	"sync"

	mp "github.com/miekg/pkcs11"
)

// Token is an open read-write session on one token, logged in as the user
// when the token needs it. Its methods are safe for concurrent use; they
// run one at a time on the session.
type Token struct {
	mu     sync.Mutex
	mod    *module
	ctx    *mp.Ctx
	sess   mp.SessionHandle
	info   TokenInfo
	notice func(string)
	closed bool
	// kat caches the outcome of known-answer tests of AES key wrap
	// methods (see checkKWP).
	kat map[katKey]error
}

// Slots lists every slot of the module cfg names (its token selection is
// not used), with the token in it if there is one. It needs no login.
func Slots(cfg Config) ([]SlotInfo, error) {
	sel, err := Config{Module: cfg.Module, ModuleFlag: cfg.ModuleFlag, NSSDB: cfg.NSSDB, URI: moduleOnly(cfg.URI)}.resolve()
	if err != nil {
		return nil, err
	}
	mod, err := loadModule(sel.module, sel.nssDB, sel.moduleFlag)
	if err != nil {
		return nil, err
	}
	defer mod.release()
	return mod.slots()
}

// moduleOnly keeps the module attributes of a URI.
func moduleOnly(u *URI) *URI {
	if u == nil {
		return nil
	}
	return &URI{ModulePath: u.ModulePath, ModuleName: u.ModuleName}
}

// Open loads the module, selects the token, opens a read-write session and
// logs in as the user if the token requires it and cfg.PIN is set. On any
// failure nothing stays open. The caller must Close the Token.
func Open(cfg Config) (*Token, error) {
	sel, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	mod, err := loadModule(sel.module, sel.nssDB, sel.moduleFlag)
	if err != nil {
		return nil, err
	}
	t := &Token{mod: mod, ctx: mod.ctx, notice: cfg.Notice, kat: map[katKey]error{}}
	ok := false
	defer func() {
		if !ok {
			mod.release()
		}
	}()
	if sel.libManufacturer != "" || sel.libDescription != "" || sel.libVersion != "" {
		info, err := mod.ctx.GetInfo()
		if err != nil {
			return nil, p11err("C_GetInfo", err, "")
		}
		if err := sel.checkLibrary(trimPad(info.ManufacturerID), trimPad(info.LibraryDescription),
			versionString(info.LibraryVersion.Major, info.LibraryVersion.Minor)); err != nil {
			return nil, err
		}
	}
	slots, err := mod.slots()
	if err != nil {
		return nil, err
	}
	slot, err := sel.choose(slots)
	if err != nil {
		return nil, err
	}
	t.info = *slot.Token
	t.sess, err = mod.ctx.OpenSession(slot.ID, mp.CKF_SERIAL_SESSION|mp.CKF_RW_SESSION)
	if isRV(err, mp.CKR_TOKEN_WRITE_PROTECTED) {
		t.sess, err = mod.ctx.OpenSession(slot.ID, mp.CKF_SERIAL_SESSION)
	}
	if err != nil {
		return nil, fmt.Errorf("token %q: %w", t.info.Label, p11err("C_OpenSession", err, ""))
	}
	if err := t.login(cfg.PIN); err != nil {
		_ = mod.ctx.CloseSession(t.sess)
		return nil, fmt.Errorf("token %q (slot %d): %w", t.info.Label, t.info.Slot, err)
	}
	ok = true
	return t, nil
}

func (t *Token) login(pin func(TokenInfo) (string, error)) error {
	if !t.info.LoginRequired() || pin == nil {
		return nil
	}
	if si, err := t.ctx.GetSessionInfo(t.sess); err == nil && si.State == mp.CKS_RW_USER_FUNCTIONS {
		return nil // another session of this process has logged in
	}
	p, err := pin(t.info)
	if err != nil {
		return err
	}
	err = t.ctx.Login(t.sess, mp.CKU_USER, p)
	if err == nil || isRV(err, mp.CKR_USER_ALREADY_LOGGED_IN) {
		return nil
	}
	return p11err("C_Login", err, "")
}

// Info describes the token.
func (t *Token) Info() TokenInfo { return t.info }

// Close closes the session and, with the process's last Token on the
// module, finalises the module. Session objects are destroyed by the token.
func (t *Token) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	err := t.ctx.CloseSession(t.sess)
	t.mod.release()
	if err != nil {
		return p11err("C_CloseSession", err, "")
	}
	return nil
}

// lock takes the session for one operation.
func (t *Token) lock() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return errors.New("pkcs11: the token is closed")
	}
	return nil
}

func (t *Token) note(format string, args ...any) {
	if t.notice != nil {
		t.notice(fmt.Sprintf(format, args...))
	}
}
