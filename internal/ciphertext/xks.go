package ciphertext

import (
	"crypto/sha256"
	"encoding/binary"
)

// # Layout (version 2: keys in an external key store)
//
// A key in an external key store (XKS) encrypts twice, as AWS KMS does:
// first under its own Trent material, making a version 1 blob (the inner
// blob), then under the external key through the XKS proxy, which
// encrypts the inner blob with AES-GCM and returns a ciphertext, an IV, a
// tag and optional ciphertext metadata. Version 2 stores those parts:
//
//	offset   size  field
//	0        1     version, 0x02
//	1        16    key ID (as in version 1)
//	17       32    key material ID (as in version 1)
//	49       1     IV length L (12 or 16)
//	50       L     the proxy's IV
//	50+L     1     ciphertext metadata length M (0 to 20)
//	51+L     M     the proxy's ciphertext metadata
//	51+L+M   16    the proxy's GCM tag
//	67+L+M   n     the proxy's ciphertext of the inner blob (n >= 97)
//
// The additional authenticated data the proxy binds (XKSAAD) is
//
//	"trent xks v2" || 00 || blob[0:49] || uint32_be(len(arn)) || arn || SHA-256(EncodeContext(ec))
//
// so the outer layer is bound to the key, its material, the key's ARN and
// the encryption context. The context is hashed to keep the AAD small: the
// spec obliges proxies to accept only 8 KiB of AAD, and a context may be 8
// KiB itself. The inner blob binds the context again, with Trent's own
// material.

// VersionXKS is the format version of external key store blobs.
const VersionXKS = 2

// XKS blob bounds.
const (
	xksPrefix      = 1 + KeyIDSize + MaterialIDSize
	MaxXKSMetadata = 20
	XKSTagSize     = 16
)

const xksLabel = "trent xks v2"

// XKS is a parsed version 2 blob.
type XKS struct {
	KeyID      [KeyIDSize]byte
	MaterialID [MaterialIDSize]byte
	IV         []byte // 12 or 16 bytes
	Metadata   []byte // at most 20 bytes
	Tag        []byte // 16 bytes
	Ciphertext []byte // the proxy's ciphertext of the inner version 1 blob
}

// IsXKS reports whether blob claims to be a version 2 blob.
func IsXKS(blob []byte) bool { return len(blob) > 0 && blob[0] == VersionXKS }

// Marshal returns the blob of x. It returns ErrInvalid if a part has a
// length the layout does not allow.
func (x *XKS) Marshal() ([]byte, error) {
	if (len(x.IV) != 12 && len(x.IV) != 16) || len(x.Metadata) > MaxXKSMetadata ||
		len(x.Tag) != XKSTagSize || len(x.Ciphertext) < Overhead {
		return nil, ErrInvalid
	}
	out := make([]byte, 0, xksPrefix+2+len(x.IV)+len(x.Metadata)+XKSTagSize+len(x.Ciphertext))
	out = append(out, VersionXKS)
	out = append(out, x.KeyID[:]...)
	out = append(out, x.MaterialID[:]...)
	out = append(out, byte(len(x.IV)))
	out = append(out, x.IV...)
	out = append(out, byte(len(x.Metadata)))
	out = append(out, x.Metadata...)
	out = append(out, x.Tag...)
	return append(out, x.Ciphertext...), nil
}

// ParseXKS parses a version 2 blob without authenticating it (only the
// proxy and then the inner blob can). Every failure is ErrInvalid.
func ParseXKS(blob []byte) (*XKS, error) {
	if len(blob) < xksPrefix+1 || blob[0] != VersionXKS {
		return nil, ErrInvalid
	}
	x := &XKS{}
	copy(x.KeyID[:], blob[1:])
	copy(x.MaterialID[:], blob[1+KeyIDSize:])
	rest := blob[xksPrefix:]
	l := int(rest[0])
	if l != 12 && l != 16 || len(rest) < 1+l+1 {
		return nil, ErrInvalid
	}
	x.IV, rest = rest[1:1+l], rest[1+l:]
	m := int(rest[0])
	if m > MaxXKSMetadata || len(rest) < 1+m+XKSTagSize+Overhead {
		return nil, ErrInvalid
	}
	x.Metadata, rest = rest[1:1+m], rest[1+m:]
	x.Tag, x.Ciphertext = rest[:XKSTagSize], rest[XKSTagSize:]
	return x, nil
}

// KeyOf returns the key ID and material ID a blob of either version names,
// without authenticating it: use them only to find the key.
func KeyOf(blob []byte) (keyID [KeyIDSize]byte, materialID [MaterialIDSize]byte, err error) {
	if IsXKS(blob) {
		x, err := ParseXKS(blob)
		if err != nil {
			return keyID, materialID, err
		}
		return x.KeyID, x.MaterialID, nil
	}
	h, err := ParseHeader(blob)
	return h.KeyID, h.MaterialID, err
}

// XKSAAD returns the additional authenticated data the proxy binds to the
// outer layer of a blob of key keyID (ARN arn), material materialID and
// encryption context ec.
func XKSAAD(keyID [KeyIDSize]byte, materialID [MaterialIDSize]byte, arn string, ec map[string]string) []byte {
	out := make([]byte, 0, len(xksLabel)+1+xksPrefix+4+len(arn)+sha256.Size)
	out = append(out, xksLabel...)
	out = append(out, 0, VersionXKS)
	out = append(out, keyID[:]...)
	out = append(out, materialID[:]...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(arn)))
	out = append(out, arn...)
	sum := sha256.Sum256(EncodeContext(ec))
	return append(out, sum[:]...)
}
