//go:build !cgo

package pkcs11

import "crypto/rsa"

// Token is an open session on a token. Without cgo no Token can be opened:
// every function below returns ErrNoCgo. See the cgo build for the
// contracts.
type Token struct{}

// Slots returns ErrNoCgo: this build has no PKCS#11.
func Slots(Config) ([]SlotInfo, error) { return nil, ErrNoCgo }

// Open returns ErrNoCgo: this build has no PKCS#11.
func Open(Config) (*Token, error) { return nil, ErrNoCgo }

// Info returns the zero TokenInfo.
func (t *Token) Info() TokenInfo { return TokenInfo{} }

// Close does nothing.
func (t *Token) Close() error { return nil }

// FindObjects returns ErrNoCgo.
func (t *Token) FindObjects(Filter) ([]Object, error) { return nil, ErrNoCgo }

// Attributes returns ErrNoCgo.
func (t *Token) Attributes(Handle) (Attrs, error) { return Attrs{}, ErrNoCgo }

// SetAttributes returns ErrNoCgo.
func (t *Token) SetAttributes(Handle, AttrChanges) error { return ErrNoCgo }

// DestroyObject returns ErrNoCgo.
func (t *Token) DestroyObject(Handle) error { return ErrNoCgo }

// GenerateSecretKey returns ErrNoCgo.
func (t *Token) GenerateSecretKey(KeySpec) (Handle, error) { return 0, ErrNoCgo }

// ImportRSAPublicKey returns ErrNoCgo.
func (t *Token) ImportRSAPublicKey(*rsa.PublicKey, PublicKeyOptions) (Handle, error) {
	return 0, ErrNoCgo
}

// Wrap returns ErrNoCgo.
func (t *Token) Wrap(key, wrapping Handle, algorithm string) ([]byte, error) { return nil, ErrNoCgo }

// CheckValue returns ErrNoCgo.
func (t *Token) CheckValue(Handle) (KCV, error) { return KCV{}, ErrNoCgo }

// Mechanisms returns ErrNoCgo.
func (t *Token) Mechanisms() ([]Mechanism, error) { return nil, ErrNoCgo }

// Pool is a pool of token sessions. Without cgo none can be opened.
type Pool struct{}

// OpenPool returns ErrNoCgo: this build has no PKCS#11.
func OpenPool(Config, int) (*Pool, error) { return nil, ErrNoCgo }

// Token returns nil.
func (p *Pool) Token() *Token { return nil }

// KeyAttributes returns ErrNoCgo.
func (p *Pool) KeyAttributes(PoolKey) (Attrs, error) { return Attrs{}, ErrNoCgo }

// Info returns the zero TokenInfo.
func (p *Pool) Info() TokenInfo { return TokenInfo{} }

// Calls returns 0.
func (p *Pool) Calls() int64 { return 0 }

// Recoveries returns 0.
func (p *Pool) Recoveries() int64 { return 0 }

// Close does nothing.
func (p *Pool) Close() error { return nil }

// CheckAESGCM returns ErrNoCgo.
func (p *Pool) CheckAESGCM() error { return ErrNoCgo }

// EncryptAESGCM returns ErrNoCgo.
func (p *Pool) EncryptAESGCM(PoolKey, []byte, []byte, []byte) ([]byte, []byte, error) {
	return nil, nil, ErrNoCgo
}

// DecryptAESGCM returns ErrNoCgo.
func (p *Pool) DecryptAESGCM(PoolKey, []byte, []byte, []byte) ([]byte, error) { return nil, ErrNoCgo }
