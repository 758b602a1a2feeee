//go:build cgo

package rootkey

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	mp "github.com/miekg/pkcs11"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// HSM is a RootKey whose key is a non-extractable AES-256 key in a PKCS#11
// token (see the package documentation and pkcs11.go). It is safe for
// concurrent use; Close it when done.
//
// The token is opened with package pkcs11 (token selection, login), which
// keeps the module initialised for as long as the HSM is open; the
// operations run on a pool of sessions of their own, through the same
// module.
type HSM struct {
	cfg    PKCS11Config
	anchor *pkcs11.Token // holds the module initialised and selected the token
	ctx    *mp.Ctx       // the same module, for the pooled sessions
	info   pkcs11.TokenInfo
	id     string
	keyID  []byte // the key's CKA_ID, if it has one: sessions find the key by it too
	label  string // the key's CKA_LABEL
	attrs  pkcs11.Attrs
	kcv    *pkcs11.KCV

	pin pinMemo

	cache *unsealCache

	mu   sync.Mutex // guards slot, gen
	slot uint
	gen  uint64 // bumped when the token loses its sessions

	slots chan struct{} // one per session that may be in use
	idle  chan *session
	// closing is set by Close before it waits for operations to end.
	closing atomic.Bool
	closed  sync.Once

	tokenOps atomic.Int64 // C_Encrypt and C_Decrypt calls, for tests and metrics
	reopened atomic.Int64 // recoveries
}

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

// OpenPKCS11 opens the token cfg.Token selects, logs in, finds the root key
// and checks it: an AES key of 32 bytes, a token object, sensitive and not
// extractable (a key that could leave the token would not make the token
// the root of trust), allowed to encrypt and decrypt, and the token must
// offer CKM_AES_GCM for both. The caller must Close the HSM.
func OpenPKCS11(cfg PKCS11Config) (*HSM, error) {
	cfg = cfg.withDefaults()
	h := &HSM{cfg: cfg}
	h.pin.fn = cfg.Token.PIN
	tcfg := cfg.Token
	tcfg.PIN = h.pin.get
	anchor, err := pkcs11.Open(tcfg)
	if err != nil {
		return nil, fmt.Errorf("rootkey: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			h.release()
		}
	}()
	h.anchor, h.info, h.slot = anchor, anchor.Info(), anchor.Info().Slot
	if h.info.LoginRequired() && cfg.Token.PIN == nil {
		return nil, fmt.Errorf("rootkey: token %q needs a login to use the root key: give its PIN (TRENT_PKCS11_PIN, a PIN file)", h.info.Label)
	}
	attrs, err := findRootKey(anchor, cfg)
	if err != nil {
		return nil, err
	}
	h.label, h.keyID, h.attrs = deref(attrs.Label), attrs.ID, attrs
	h.id = pkcs11ID(h.label, h.keyID)
	if kcv, err := anchor.CheckValue(attrs.Handle); err == nil {
		h.kcv = &kcv
	}

	// The module is loaded and initialised by package pkcs11 (anchor);
	// loading it again gives this HSM its own function table on the same
	// library, for sessions pkcs11.Token does not offer operations on.
	h.ctx = mp.New(modulePath(cfg.Token))
	if h.ctx == nil {
		return nil, fmt.Errorf("rootkey: cannot load the PKCS#11 module %s a second time", modulePath(cfg.Token))
	}
	if err := h.checkMechanism(); err != nil {
		return nil, err
	}
	h.slots = make(chan struct{}, cfg.Sessions)
	h.idle = make(chan *session, cfg.Sessions)
	// One session now, so that a token that cannot do the work fails
	// here rather than at the first request.
	s, err := h.get()
	if err != nil {
		return nil, err
	}
	h.put(s)
	h.cache = newUnsealCache(cfg.CacheSize, cfg.CacheTTL)
	ok = true
	return h, nil
}

// findRootKey finds the one key cfg selects and checks its attributes.
func findRootKey(tok *pkcs11.Token, cfg PKCS11Config) (pkcs11.Attrs, error) {
	label := tok.Info().Label
	objs, err := tok.FindObjects(pkcs11.Filter{Class: "secret-key", Label: cfg.KeyLabel, ID: cfg.KeyID})
	if err != nil {
		return pkcs11.Attrs{}, fmt.Errorf("rootkey: token %q: %w", label, err)
	}
	switch len(objs) {
	case 0:
		return pkcs11.Attrs{}, fmt.Errorf("rootkey: %w: token %q has no secret key with %s (a private key is visible only after a login): create the root key with `trent admin root-key create`",
			ErrNoRootKey, label, cfg.describeKey())
	case 1:
	default:
		return pkcs11.Attrs{}, fmt.Errorf("rootkey: token %q has %d secret keys with %s: the root key must be unique; select it by id as well (pkcs11: URI with id=)",
			label, len(objs), cfg.describeKey())
	}
	a, err := tok.Attributes(objs[0].Handle)
	if err != nil {
		return pkcs11.Attrs{}, fmt.Errorf("rootkey: token %q: %w", label, err)
	}
	if err := checkRootKeyAttrs(a); err != nil {
		return pkcs11.Attrs{}, fmt.Errorf("rootkey: the key with %s on token %q cannot be the root key: %w", cfg.describeKey(), label, err)
	}
	return a, nil
}

// modulePath is the module package pkcs11 loads for cfg (see its Config).
func modulePath(cfg pkcs11.Config) string {
	switch {
	case cfg.Module != "":
		return cfg.Module
	case cfg.URI != nil && cfg.URI.ModulePath != "":
		return cfg.URI.ModulePath
	case cfg.URI != nil && cfg.URI.ModuleName != "":
		return "lib" + cfg.URI.ModuleName + ".so"
	case cfg.NSSDB != "":
		return "libsoftokn3.so"
	}
	return ""
}

func (h *HSM) checkMechanism() error {
	info, err := h.ctx.GetMechanismInfo(h.slot, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_GCM, nil)})
	if err != nil {
		return fmt.Errorf("rootkey: token %q does not offer CKM_AES_GCM, which the HSM root key seals with: %w", h.info.Label, err)
	}
	if info.Flags&(mp.CKF_ENCRYPT|mp.CKF_DECRYPT) != mp.CKF_ENCRYPT|mp.CKF_DECRYPT {
		return fmt.Errorf("rootkey: token %q offers CKM_AES_GCM but not for C_Encrypt and C_Decrypt", h.info.Label)
	}
	if info.MaxKeySize != 0 && info.MaxKeySize < 32 && info.MaxKeySize != 256 {
		return fmt.Errorf("rootkey: token %q offers CKM_AES_GCM only for keys up to %d", h.info.Label, info.MaxKeySize)
	}
	return nil
}

// ID implements RootKey: "pkcs11:" and the key's CKA_ID in hex.
func (h *HSM) ID() string { return h.id }

// Info describes the token and the key.
func (h *HSM) Info() PKCS11KeyInfo {
	return PKCS11KeyInfo{ID: h.id, URI: KeyURI(h.info.Label, h.label, h.keyID), Label: h.label,
		KeyID: h.keyID, Token: h.info, Attrs: h.attrs, KCV: h.kcv}
}

// TokenCalls returns how many C_Encrypt and C_Decrypt calls the HSM has
// made: what the unseal cache saves shows here.
func (h *HSM) TokenCalls() int64 { return h.tokenOps.Load() }

// Recoveries returns how many times the HSM dropped its sessions and
// logged in again after the token lost them.
func (h *HSM) Recoveries() int64 { return h.reopened.Load() }

// Seal implements RootKey: AES-256-GCM in the token, the context as AAD.
func (h *HSM) Seal(plaintext []byte, context string) ([]byte, error) {
	iv := make([]byte, gcmIVSize)
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	var out []byte
	err := h.do(func(s *session) error {
		params := mp.NewGCMParams(iv, []byte(context), 8*gcmTagSize)
		defer params.Free()
		if err := h.ctx.EncryptInit(s.h, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_GCM, params)}, s.key); err != nil {
			return tokenError("C_EncryptInit", err)
		}
		h.tokenOps.Add(1)
		ct, err := h.ctx.Encrypt(s.h, plaintext)
		if err != nil {
			return tokenError("C_Encrypt", err)
		}
		// Some HSMs choose the IV themselves and write it back.
		used := params.IV()
		if len(used) != gcmIVSize {
			return fmt.Errorf("rootkey: the token used a %d-byte GCM IV, not %d", len(used), gcmIVSize)
		}
		if len(ct) != len(plaintext)+gcmTagSize {
			return fmt.Errorf("rootkey: the token's AES-GCM output is %d bytes for %d bytes of input", len(ct), len(plaintext))
		}
		out = make([]byte, 0, 1+gcmIVSize+len(ct))
		out = append(append(append(out, hsmVersion), used...), ct...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Unseal implements RootKey: from the cache, or decrypted in the token.
func (h *HSM) Unseal(sealed []byte, context string) ([]byte, error) {
	if !wellFormedHSM(sealed) {
		return nil, ErrUnseal
	}
	k := cacheKey(sealed, context)
	if pt := h.cache.get(k); pt != nil {
		return pt, nil
	}
	pt, err := h.unsealUncached(sealed, context)
	if err != nil {
		return nil, err
	}
	h.cache.put(k, pt)
	return pt, nil
}

func wellFormedHSM(sealed []byte) bool {
	return len(sealed) >= 1+gcmIVSize+gcmTagSize && sealed[0] == hsmVersion
}

// unsealUncached decrypts in the token, whatever the cache holds.
func (h *HSM) unsealUncached(sealed []byte, context string) ([]byte, error) {
	if !wellFormedHSM(sealed) {
		return nil, ErrUnseal
	}
	var pt []byte
	err := h.do(func(s *session) error {
		params := mp.NewGCMParams(sealed[1:1+gcmIVSize], []byte(context), 8*gcmTagSize)
		defer params.Free()
		if err := h.ctx.DecryptInit(s.h, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_GCM, params)}, s.key); err != nil {
			return tokenError("C_DecryptInit", err)
		}
		h.tokenOps.Add(1)
		var err error
		if pt, err = h.ctx.Decrypt(s.h, sealed[1+gcmIVSize:]); err != nil {
			return tokenError("C_Decrypt", err)
		}
		return nil
	})
	if err != nil {
		if isDataError(err) {
			return nil, ErrUnseal
		}
		return nil, err
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// tokenErr is a PKCS#11 function's failure.
type tokenErr struct {
	fn   string
	code uint
	err  error
}

func (e *tokenErr) Error() string { return fmt.Sprintf("rootkey: HSM: %s: %v", e.fn, e.err) }
func (e *tokenErr) Unwrap() error { return e.err }

func tokenError(fn string, err error) error {
	var rv mp.Error
	if errors.As(err, &rv) {
		return &tokenErr{fn: fn, code: uint(rv), err: err}
	}
	return fmt.Errorf("rootkey: HSM: %s: %w", fn, err)
}

func codeOf(err error) (uint, bool) {
	var e *tokenErr
	if errors.As(err, &e) {
		return e.code, true
	}
	return 0, false
}

// ckrAEADDecryptFailed is PKCS#11 3.0's CKR_AEAD_DECRYPT_FAILED.
const ckrAEADDecryptFailed = 0x35

// isDataError reports a token's refusal of the sealed value itself in
// C_Decrypt: the tag does not verify (wrong key, wrong context, tampering).
// Tokens differ in the code they give: PKCS#11 says
// CKR_ENCRYPTED_DATA_INVALID, SoftHSM2 2.6 answers CKR_GENERAL_ERROR.
func isDataError(err error) bool {
	var e *tokenErr
	if !errors.As(err, &e) || e.fn != "C_Decrypt" {
		return false
	}
	switch e.code {
	case mp.CKR_ENCRYPTED_DATA_INVALID, mp.CKR_ENCRYPTED_DATA_LEN_RANGE, mp.CKR_DATA_INVALID,
		mp.CKR_DATA_LEN_RANGE, mp.CKR_SIGNATURE_INVALID, mp.CKR_FUNCTION_FAILED, mp.CKR_GENERAL_ERROR,
		ckrAEADDecryptFailed:
		return true
	}
	return false
}

// isSessionLost reports the codes after which a fresh session (and login)
// may succeed: the token restarted, was reconnected, or forgot the login.
func isSessionLost(err error) bool {
	code, ok := codeOf(err)
	if !ok {
		return false
	}
	switch code {
	case mp.CKR_SESSION_HANDLE_INVALID, mp.CKR_SESSION_CLOSED, mp.CKR_DEVICE_REMOVED,
		mp.CKR_TOKEN_NOT_PRESENT, mp.CKR_USER_NOT_LOGGED_IN, mp.CKR_KEY_HANDLE_INVALID,
		mp.CKR_OBJECT_HANDLE_INVALID, mp.CKR_DEVICE_ERROR, mp.CKR_TOKEN_NOT_RECOGNIZED, mp.CKR_SLOT_ID_INVALID:
		return true
	}
	return false
}

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

func isRV(err error, rv uint) bool {
	var e mp.Error
	return errors.As(err, &e) && uint(e) == rv
}

// findKey finds the root key in a session: the one secret AES key with the
// label (and id) found at open, still sensitive and not extractable.
func (h *HSM) findKey(sh mp.SessionHandle) (mp.ObjectHandle, error) {
	tmpl := []*mp.Attribute{
		mp.NewAttribute(mp.CKA_CLASS, mp.CKO_SECRET_KEY),
		mp.NewAttribute(mp.CKA_KEY_TYPE, mp.CKK_AES),
		mp.NewAttribute(mp.CKA_SENSITIVE, true),
		mp.NewAttribute(mp.CKA_EXTRACTABLE, false),
	}
	if h.label != "" {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_LABEL, h.label))
	}
	if len(h.keyID) > 0 {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_ID, h.keyID))
	}
	if err := h.ctx.FindObjectsInit(sh, tmpl); err != nil {
		return 0, tokenError("C_FindObjectsInit", err)
	}
	hs, _, err := h.ctx.FindObjects(sh, 2)
	_ = h.ctx.FindObjectsFinal(sh)
	if err != nil {
		return 0, tokenError("C_FindObjects", err)
	}
	if len(hs) != 1 {
		return 0, fmt.Errorf("rootkey: token %q: %d sensitive, non-extractable AES keys with label %q and id %x, want exactly 1 (the root key was changed or deleted)",
			h.info.Label, len(hs), h.label, h.keyID)
	}
	return hs[0], nil
}

// Close closes the sessions, clears the unseal cache and releases the
// module. It waits for operations in progress.
func (h *HSM) Close() error {
	h.closed.Do(func() {
		h.closing.Store(true)
		for range cap(h.slots) {
			h.slots <- struct{}{}
		}
		for s := h.takeIdle(); s != nil; s = h.takeIdle() {
			_ = h.ctx.CloseSession(s.h)
		}
		h.cache.close()
		h.release()
		// Callers that were waiting for a session now see the HSM closed.
		for range cap(h.slots) {
			<-h.slots
		}
	})
	return nil
}

// release unloads this HSM's handle on the module and closes the anchor
// token, which finalises the module if nothing else in the process uses it.
func (h *HSM) release() {
	if h.ctx != nil {
		h.ctx.Destroy()
		h.ctx = nil
	}
	if h.anchor != nil {
		// The anchor's own session may be gone (a token restart): its
		// error says nothing about this close.
		_ = h.anchor.Close()
		h.anchor = nil
	}
}
