// Package ciphertext defines the blob that Trent's Encrypt returns and
// Decrypt accepts for symmetric keys, and the cryptography that makes it.
//
// # Layout (version 1)
//
//	offset size  field
//	0      1     version, 0x01
//	1      16    key ID (the UUID of the KMS key, 16 raw bytes)
//	17     32    key material ID (KeyMaterialId, 32 raw bytes; hex in the API)
//	49     32    nonce N, random per message
//	81     n     AES-256-GCM ciphertext of the plaintext
//	81+n   16    GCM tag
//
// The first 81 bytes are the header. Decrypt needs no KeyId because the
// header names the key and the version of its material, as AWS KMS does.
// Keys in an external key store wrap a version 1 blob in version 2 (xks.go).
//
// # Cryptography
//
// Each message is encrypted under its own key K derived from the key
// material M and the nonce, with the NIST SP 800-108 KDF in counter mode and
// HMAC-SHA256 as PRF (one block, since K is 256 bits):
//
//	K = HMAC-SHA256(M, 00000001 || "trent ciphertext v1" || 00 || header || 00000100)
//
// Because the header contains 256 random bits, K is unique per message with
// overwhelming probability, so GCM runs with a fixed all-zero 96-bit IV and
// the usual GCM limits on messages per key never come into play; M itself
// never touches data. The additional authenticated data is the header
// followed by the canonical encoding of the encryption context
// ([EncodeContext]), so changing any header byte or any context entry makes
// the tag fail.
//
// # Errors
//
// Open returns the single error [ErrInvalid] for every failure — malformed,
// truncated, tampered, wrong key, wrong context — so that callers cannot
// leak which check failed.
package ciphertext

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"io"
)

// Version is the format version this package writes.
const Version = 1

// Sizes of the fields of a version 1 blob.
const (
	KeyIDSize      = 16
	MaterialIDSize = 32
	NonceSize      = 32
	HeaderSize     = 1 + KeyIDSize + MaterialIDSize + NonceSize
	TagSize        = 16
	// Overhead is the number of bytes a blob adds to its plaintext.
	Overhead = HeaderSize + TagSize
)

// ErrInvalid is the one error for a blob that cannot be opened.
var ErrInvalid = errors.New("ciphertext: invalid")

const kdfLabel = "trent ciphertext v1"

// Header is the clear part of a blob.
type Header struct {
	KeyID      [KeyIDSize]byte
	MaterialID [MaterialIDSize]byte
	Nonce      [NonceSize]byte
}

func (h *Header) marshal(dst []byte) []byte {
	dst = append(dst, Version)
	dst = append(dst, h.KeyID[:]...)
	dst = append(dst, h.MaterialID[:]...)
	return append(dst, h.Nonce[:]...)
}

// ParseHeader returns the header of blob without authenticating it: use it
// only to find the key, then call Open. It returns ErrInvalid if blob is not
// a version 1 blob of plausible length.
func ParseHeader(blob []byte) (Header, error) {
	var h Header
	if len(blob) < Overhead || blob[0] != Version {
		return h, ErrInvalid
	}
	copy(h.KeyID[:], blob[1:])
	copy(h.MaterialID[:], blob[1+KeyIDSize:])
	copy(h.Nonce[:], blob[1+KeyIDSize+MaterialIDSize:])
	return h, nil
}

// Seal encrypts plaintext under material (32 bytes) for the key and
// material named by keyID and materialID, binding the encryption context ec.
// The nonce is read from random.
func Seal(random io.Reader, material []byte, keyID [KeyIDSize]byte, materialID [MaterialIDSize]byte, plaintext []byte, ec map[string]string) ([]byte, error) {
	h := Header{KeyID: keyID, MaterialID: materialID}
	if _, err := io.ReadFull(random, h.Nonce[:]); err != nil {
		return nil, err
	}
	out := h.marshal(make([]byte, 0, Overhead+len(plaintext)))
	aead, err := messageAEAD(material, out)
	if err != nil {
		return nil, err
	}
	var iv [12]byte
	return aead.Seal(out, iv[:], plaintext, aad(out, ec)), nil
}

// Open authenticates and decrypts blob with material and the encryption
// context ec. Every failure is ErrInvalid.
func Open(material, blob []byte, ec map[string]string) ([]byte, error) {
	if _, err := ParseHeader(blob); err != nil {
		return nil, err
	}
	header := blob[:HeaderSize]
	aead, err := messageAEAD(material, header)
	if err != nil {
		return nil, ErrInvalid
	}
	var iv [12]byte
	pt, err := aead.Open(nil, iv[:], blob[HeaderSize:], aad(header, ec))
	if err != nil {
		return nil, ErrInvalid
	}
	return pt, nil
}

// messageAEAD derives the per-message key from material and header.
func messageAEAD(material, header []byte) (cipher.AEAD, error) {
	if len(material) != 32 {
		return nil, errors.New("ciphertext: key material must be 32 bytes")
	}
	mac := hmac.New(sha256.New, material)
	mac.Write([]byte{0, 0, 0, 1})
	mac.Write([]byte(kdfLabel))
	mac.Write([]byte{0})
	mac.Write(header)
	mac.Write([]byte{0, 0, 1, 0}) // L = 256 bits
	var k [sha256.Size]byte
	mac.Sum(k[:0])
	defer clear(k[:])
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func aad(header []byte, ec map[string]string) []byte {
	if len(ec) == 0 {
		// An empty context encodes as a zero count; append it so that the
		// AAD always has the same structure.
		return append(header[:len(header):len(header)], 0, 0, 0, 0)
	}
	return AppendContext(header[:len(header):len(header)], ec)
}
