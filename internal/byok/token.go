package byok

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"time"
)

// Token layout (version 1), 75 bytes:
//
//	0   1   version, 0x01
//	1   16  key ID (UUID bytes)
//	17  16  import parameter set ID (random)
//	33  8   expiry, Unix seconds, big-endian
//	41  1   wrapping algorithm (index in tokenAlgs)
//	42  1   wrapping key spec (index in tokenSpecs)
//	43  32  HMAC-SHA256 under the service's token secret of bytes 0..42
const (
	tokenVersion = 1
	tokenBody    = 43
	TokenSize    = tokenBody + sha256.Size
)

var (
	tokenAlgs  = []string{RSAESPKCS1v15, RSAESOAEPSHA1, RSAESOAEPSHA256, RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256}
	tokenSpecs = []string{RSA2048, RSA3072, RSA4096}
)

// ErrInvalidToken is returned for a token that is malformed or does not
// authenticate. It says nothing more.
var ErrInvalidToken = errors.New("byok: invalid import token")

// Token is the content of an import token.
type Token struct {
	KeyID             [16]byte
	ParamsID          [16]byte
	Expiry            time.Time // second precision
	WrappingAlgorithm string
	WrappingKeySpec   string
}

// Seal returns the token authenticated under secret.
func (t *Token) Seal(secret []byte) ([]byte, error) {
	a, s := slices.Index(tokenAlgs, t.WrappingAlgorithm), slices.Index(tokenSpecs, t.WrappingKeySpec)
	if a < 0 || s < 0 {
		return nil, errors.New("byok: token for an unknown algorithm or key spec")
	}
	b := make([]byte, tokenBody, TokenSize)
	b[0] = tokenVersion
	copy(b[1:17], t.KeyID[:])
	copy(b[17:33], t.ParamsID[:])
	binary.BigEndian.PutUint64(b[33:41], uint64(t.Expiry.Unix()))
	b[41], b[42] = byte(a), byte(s)
	mac := hmac.New(sha256.New, secret)
	mac.Write(b)
	return mac.Sum(b), nil
}

// OpenToken authenticates b under secret and returns its content. Expiry
// and the binding to a key are the caller's to check.
func OpenToken(secret, b []byte) (Token, error) {
	var t Token
	if len(b) != TokenSize || b[0] != tokenVersion {
		return t, ErrInvalidToken
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(b[:tokenBody])
	if !hmac.Equal(mac.Sum(nil), b[tokenBody:]) {
		return t, ErrInvalidToken
	}
	if int(b[41]) >= len(tokenAlgs) || int(b[42]) >= len(tokenSpecs) {
		return t, ErrInvalidToken
	}
	copy(t.KeyID[:], b[1:17])
	copy(t.ParamsID[:], b[17:33])
	t.Expiry = time.Unix(int64(binary.BigEndian.Uint64(b[33:41])), 0).UTC()
	t.WrappingAlgorithm, t.WrappingKeySpec = tokenAlgs[b[41]], tokenSpecs[b[42]]
	return t, nil
}
