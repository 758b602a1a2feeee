//go:build !cgo

package rootkey

import "github.com/trent-kms/trent/internal/pkcs11"

// HSM is the PKCS#11 root key. Without cgo none can be opened: OpenPKCS11
// and CreatePKCS11Key return pkcs11.ErrNoCgo. See the cgo build for the
// contracts.
type HSM struct{}

// OpenPKCS11 returns pkcs11.ErrNoCgo: this build has no PKCS#11.
func OpenPKCS11(PKCS11Config) (*HSM, error) { return nil, pkcs11.ErrNoCgo }

// ID implements RootKey.
func (h *HSM) ID() string { return "" }

// Seal returns pkcs11.ErrNoCgo.
func (h *HSM) Seal([]byte, string) ([]byte, error) { return nil, pkcs11.ErrNoCgo }

// Unseal returns pkcs11.ErrNoCgo.
func (h *HSM) Unseal([]byte, string) ([]byte, error) { return nil, pkcs11.ErrNoCgo }

func (h *HSM) unsealUncached([]byte, string) ([]byte, error) { return nil, pkcs11.ErrNoCgo }

// Info returns the zero PKCS11KeyInfo.
func (h *HSM) Info() PKCS11KeyInfo { return PKCS11KeyInfo{} }

// TokenCalls returns 0.
func (h *HSM) TokenCalls() int64 { return 0 }

// Recoveries returns 0.
func (h *HSM) Recoveries() int64 { return 0 }

// Close does nothing.
func (h *HSM) Close() error { return nil }
