package byok

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

// errKWP is the one error of KeyUnwrapPad: which check failed is not said.
var errKWP = errors.New("byok: AES key unwrap failed")

// kwpICV is RFC 5649's alternative initial value, before the length.
var kwpICV = [4]byte{0xA6, 0x59, 0x59, 0xA6}

// KeyWrapPad wraps plaintext (1 to 2^32-1 bytes) under the AES key kek
// following RFC 5649 (AES key wrap with padding).
func KeyWrapPad(kek, plaintext []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	if len(plaintext) == 0 || uint64(len(plaintext)) > 0xFFFFFFFF {
		return nil, errors.New("byok: key wrap input must be 1 to 2^32-1 bytes")
	}
	n := (len(plaintext) + 7) / 8
	out := make([]byte, 8+8*n)
	copy(out[:4], kwpICV[:])
	binary.BigEndian.PutUint32(out[4:8], uint32(len(plaintext)))
	copy(out[8:], plaintext)
	if n == 1 {
		// One block: a single AES encryption of AIV || P (RFC 5649 §4.1).
		block.Encrypt(out, out)
		return out, nil
	}
	wrap(block, out, n)
	return out, nil
}

// wrap is the RFC 3394 wrapping process W in place on a = A || R[1..n].
func wrap(block cipher.Block, a []byte, n int) {
	var b [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			copy(b[:8], a[:8])
			copy(b[8:], a[8*i:8*i+8])
			block.Encrypt(b[:], b[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(a[:8], binary.BigEndian.Uint64(b[:8])^t)
			copy(a[8*i:], b[8:])
		}
	}
}

// unwrap is the RFC 3394 unwrapping process W⁻¹ in place.
func unwrap(block cipher.Block, a []byte, n int) {
	var b [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(b[:8], binary.BigEndian.Uint64(a[:8])^t)
			copy(b[8:], a[8*i:8*i+8])
			block.Decrypt(b[:], b[:])
			copy(a[:8], b[:8])
			copy(a[8*i:], b[8:])
		}
	}
}

// KeyUnwrapPad reverses KeyWrapPad. Every failure — wrong key, tampering,
// bad length or padding — returns the same error, and the integrity checks
// run in constant time.
func KeyUnwrapPad(kek, ciphertext []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, errKWP
	}
	if len(ciphertext) < 16 || len(ciphertext)%8 != 0 {
		return nil, errKWP
	}
	n := len(ciphertext)/8 - 1
	a := make([]byte, len(ciphertext))
	copy(a, ciphertext)
	if n == 1 {
		block.Decrypt(a, a)
	} else {
		unwrap(block, a, n)
	}
	// Clamped so the constant-time comparisons below stay in their domain;
	// a clamped length fails the range check anyway.
	mli := min(int(binary.BigEndian.Uint32(a[4:8])), 1<<30)
	ok := subtle.ConstantTimeCompare(a[:4], kwpICV[:])
	ok &= subtle.ConstantTimeLessOrEq(8*(n-1)+1, mli) & subtle.ConstantTimeLessOrEq(mli, 8*n)
	// The padding bytes must be zero; check all of the last block's
	// candidates without branching on mli.
	var pad byte
	for i := 8 * n; i < 8*n+8 && i < len(a); i++ {
		inPad := subtle.ConstantTimeLessOrEq(mli+8+1, i+1) // index i is past the data
		pad |= byte(-inPad) & a[i]                         // mask 0xFF past the data, 0x00 within
	}
	ok &= subtle.ConstantTimeByteEq(pad, 0)
	if ok != 1 {
		clear(a)
		return nil, errKWP
	}
	out := make([]byte, mli)
	copy(out, a[8:8+mli])
	clear(a)
	return out, nil
}
