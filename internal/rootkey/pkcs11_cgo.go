//go:build cgo

package rootkey

import (
	"fmt"
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
