//go:build !cgo

package pkcs11

// GenerateKeyPair returns ErrNoCgo.
func (t *Token) GenerateKeyPair(KeyPairSpec) (pub, priv Handle, err error) { return 0, 0, ErrNoCgo }

// PublicKeyDER returns ErrNoCgo.
func (t *Token) PublicKeyDER(Handle) ([]byte, error) { return nil, ErrNoCgo }

// SignHMAC returns ErrNoCgo.
func (t *Token) SignHMAC(Handle, string, []byte) ([]byte, error) { return nil, ErrNoCgo }
