package rootkey

import (
	"fmt"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// HSM is a RootKey whose key is a non-extractable AES-256 key in a PKCS#11
// token (see the package documentation and pkcs11.go). It is safe for
// concurrent use; Close it when done.
//
// The token, its session pool and the re-login after a token restart are
// package pkcs11's (pkcs11.Pool); HSM adds the root-key concept: which key,
// the sealed format, and the unseal cache. In a build without cgo
// OpenPKCS11 fails with pkcs11.ErrNoCgo.
type HSM struct {
	cfg   PKCS11Config
	pool  *pkcs11.Pool
	key   pkcs11.PoolKey // how each pooled session finds the root key
	info  pkcs11.TokenInfo
	id    string
	keyID []byte // the key's CKA_ID, if it has one: sessions find the key by it too
	label string // the key's CKA_LABEL
	attrs pkcs11.Attrs
	kcv   *pkcs11.KCV
	cache *unsealCache
}

// OpenPKCS11 opens the token cfg.Token selects, logs in, finds the root key
// and checks it: an AES key of 32 bytes, a token object, sensitive and not
// extractable (a key that could leave the token would not make the token
// the root of trust), allowed to encrypt and decrypt, and the token must
// offer CKM_AES_GCM for both. The caller must Close the HSM.
func OpenPKCS11(cfg PKCS11Config) (*HSM, error) {
	cfg = cfg.withDefaults()
	pool, err := pkcs11.OpenPool(cfg.Token, cfg.Sessions)
	if err != nil {
		return nil, fmt.Errorf("rootkey: %w", err)
	}
	h := &HSM{cfg: cfg, pool: pool, info: pool.Info()}
	ok := false
	defer func() {
		if !ok {
			_ = pool.Close()
		}
	}()
	if h.info.LoginRequired() && cfg.Token.PIN == nil {
		return nil, fmt.Errorf("rootkey: token %q needs a login to use the root key: give its PIN (TRENT_PKCS11_PIN, a PIN file)", h.info.Label)
	}
	tok := pool.Token()
	attrs, err := findRootKey(tok, cfg)
	if err != nil {
		return nil, err
	}
	h.label, h.keyID, h.attrs = deref(attrs.Label), attrs.ID, attrs
	h.id = pkcs11ID(h.label, h.keyID)
	h.key = pkcs11.PoolKey{Label: h.label, ID: h.keyID, Protected: true}
	if kcv, err := tok.CheckValue(attrs.Handle); err == nil {
		h.kcv = &kcv
	}
	if err := pool.CheckAESGCM(); err != nil {
		return nil, fmt.Errorf("rootkey: the HSM root key seals with CKM_AES_GCM: %w", err)
	}
	h.cache = newUnsealCache(cfg.CacheSize, cfg.CacheTTL)
	// One operation now, so that a token that cannot do the work fails
	// here rather than at the first request.
	if _, err := h.Seal(nil, openCheckContext); err != nil {
		h.cache.close()
		return nil, err
	}
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
func (h *HSM) TokenCalls() int64 { return h.pool.Calls() }

// Recoveries returns how many times the HSM dropped its sessions and
// logged in again after the token lost them.
func (h *HSM) Recoveries() int64 { return h.pool.Recoveries() }

// Close closes the sessions, clears the unseal cache and releases the
// module. It waits for operations in progress.
func (h *HSM) Close() error {
	err := h.pool.Close()
	h.cache.close()
	return err
}
