package byok

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
)

// ErrUnwrap is the one error for wrapped material that cannot be unwrapped,
// whatever failed: RSA padding, AES key wrap integrity, lengths, or a wrong
// wrapping key or algorithm.
var ErrUnwrap = errors.New("byok: wrapped key material cannot be unwrapped")

// maxMaterial bounds unwrapped material: the largest KMS import, an RSA-4096
// PKCS#8 key, is under 2.5 KB.
const maxMaterial = 4096

// Unwrap decrypts wrapped key material with the wrapping private key, using
// alg (one of the RSAES_* or RSA_AES_KEY_WRAP_* names). Every failure is
// ErrUnwrap.
//
// For RSAES_PKCS1_V1_5 the padding check runs in constant time, as in
// rsa.DecryptPKCS1v15SessionKey, and the expected length is fixed
// (pkcs1Len); a caller must still treat any failure as final for the
// wrapping key (Trent destroys the import parameters), so that no padding
// oracle can be queried twice against one key.
func Unwrap(priv *rsa.PrivateKey, alg string, wrapped []byte, pkcs1Len int) ([]byte, error) {
	k := priv.Size()
	switch alg {
	case RSAESOAEPSHA1, RSAESOAEPSHA256:
		if len(wrapped) != k {
			return nil, ErrUnwrap
		}
		m, err := rsa.DecryptOAEP(hashOf(alg).New(), nil, priv, wrapped, nil)
		if err != nil || len(m) == 0 {
			return nil, ErrUnwrap
		}
		return m, nil
	case RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256:
		return unwrapHybrid(priv, alg, wrapped)
	case RSAESPKCS1v15:
		return unwrapPKCS1(priv, wrapped, pkcs1Len)
	}
	return nil, ErrUnwrap
}

// unwrapHybrid splits RSA part || KWP part at the modulus size. The
// ephemeral AES key may be 128, 192 or 256 bits: AWS's documentation uses
// 256, PKCS#11 CKM_RSA_AES_KEY_WRAP allows all three.
func unwrapHybrid(priv *rsa.PrivateKey, alg string, wrapped []byte) ([]byte, error) {
	k := priv.Size()
	if len(wrapped) < k+16 || len(wrapped)-k > maxMaterial+8 {
		return nil, ErrUnwrap
	}
	kek, err := rsa.DecryptOAEP(hashOf(alg).New(), nil, priv, wrapped[:k], nil)
	if err != nil {
		return nil, ErrUnwrap
	}
	defer clear(kek)
	switch len(kek) {
	case 16, 24, 32:
	default:
		return nil, ErrUnwrap
	}
	m, err := KeyUnwrapPad(kek, wrapped[k:])
	if err != nil {
		return nil, ErrUnwrap
	}
	return m, nil
}

// unwrapPKCS1 decrypts a PKCS#1 v1.5 block of exactly n bytes of material.
// A random key of n bytes is decrypted into; if the padding or length is
// wrong it stays random, and the comparison with a copy tells the caller
// without a data-dependent branch inside the RSA code.
func unwrapPKCS1(priv *rsa.PrivateKey, wrapped []byte, n int) ([]byte, error) {
	if n <= 0 || len(wrapped) != priv.Size() {
		return nil, ErrUnwrap
	}
	key := make([]byte, n)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	sentinel := append([]byte(nil), key...)
	defer clear(sentinel)
	//lint:ignore SA1019 PKCS #1 v1.5 is refused unless an operator enables it for legacy HSM firmware; this is the constant-time form meant for exactly that.
	if err := rsa.DecryptPKCS1v15SessionKey(nil, priv, wrapped, key); err != nil {
		return nil, ErrUnwrap
	}
	if subtle.ConstantTimeCompare(key, sentinel) == 1 {
		clear(key)
		return nil, ErrUnwrap
	}
	return key, nil
}
