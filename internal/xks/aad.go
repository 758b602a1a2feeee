package xks

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// ciphertextMetadata is what Trent returns as ciphertextMetadata with every
// ciphertext: one version byte naming this construction (AES-256-GCM in
// the token, 12-byte IV, 16-byte tag, AAD as tokenAAD builds it). It is
// covered by the tag, so a decrypt request whose metadata was changed or
// dropped fails as InvalidCiphertextException. A later format would use
// another byte; decrypt needs no table today because the metadata is just
// authenticated data.
var ciphertextMetadata = []byte{0x01}

// Limits of the two length prefixes of tokenAAD, and the spec's bound on
// ciphertextMetadata.
const (
	maxAAD          = 0xFFFF
	maxCiphertextMD = 20
)

// tokenAAD is the additional authenticated data given to AES-GCM in the
// token, as the specification recommends (§ "Ciphertext metadata"):
//
//	uint16_be(len(aad)) || aad || uint8(len(ctMeta)) || ctMeta
//
// with the lengths of the decoded bytes (absent fields have length 0). The
// length prefixes keep aad and ctMeta from sliding into each other.
func tokenAAD(aad, ctMeta []byte) ([]byte, error) {
	if len(aad) > maxAAD {
		return nil, fmt.Errorf("additionalAuthenticatedData of %d bytes exceeds %d", len(aad), maxAAD)
	}
	if len(ctMeta) > maxCiphertextMD {
		return nil, fmt.Errorf("ciphertextMetadata of %d bytes exceeds %d", len(ctMeta), maxCiphertextMD)
	}
	out := make([]byte, 0, 2+len(aad)+1+len(ctMeta))
	out = binary.BigEndian.AppendUint16(out, uint16(len(aad)))
	out = append(out, aad...)
	out = append(out, byte(len(ctMeta)))
	return append(out, ctMeta...), nil
}

// cdiv is the ciphertext data integrity value of an Encrypt answer
// (ciphertextDataIntegrityValueAlgorithm SHA_256):
//
//	SHA-256(aad || ctMeta || iv || ciphertext || tag)
//
// over the decoded bytes, without lengths, absent parts empty. KMS
// recomputes it to detect an answer damaged on its way.
func cdiv(aad, ctMeta, iv, ciphertext, tag []byte) [sha256.Size]byte {
	h := sha256.New()
	for _, b := range [][]byte{aad, ctMeta, iv, ciphertext, tag} {
		h.Write(b)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
