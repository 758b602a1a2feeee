package ciphertext

import (
	"encoding/binary"
	"slices"
)

// MaxContextSize bounds the canonical encoding of an encryption context.
// AWS documents no limit; Trent chooses 8 KiB, far above real use, so that a
// request cannot make the server hash megabytes of context.
const MaxContextSize = 8192

// EncodeContext returns the canonical encoding of an encryption context:
// a 4-byte big-endian count, then for each entry in ascending byte order of
// its key, the key and the value each prefixed by its 4-byte big-endian
// length. The encoding is injective and independent of map order.
func EncodeContext(ec map[string]string) []byte {
	return AppendContext(nil, ec)
}

// AppendContext appends the canonical encoding of ec to dst.
func AppendContext(dst []byte, ec map[string]string) []byte {
	keys := make([]string, 0, len(ec))
	for k := range ec {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(keys)))
	for _, k := range keys {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(k)))
		dst = append(dst, k...)
		v := ec[k]
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
		dst = append(dst, v...)
	}
	return dst
}

// ContextSize returns the length of the canonical encoding of ec without
// building it.
func ContextSize(ec map[string]string) int {
	n := 4
	for k, v := range ec {
		n += 8 + len(k) + len(v)
	}
	return n
}
