package wire

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// This file holds the string handling of the strict pre-pass (strict.go):
// finding a string's end, checking its \u escapes for unpaired
// surrogates, and the errors for bad strings.

// str walks the string at b[i] == '"' and returns the index after its
// closing quote and whether it holds escapes. Short runs are scanned byte
// by byte; a long one (a base64 blob) with bytes.IndexByte, which is fast
// per byte but costly per call.
func (s *strict) str(i int) (int, bool) {
	const short = 64
	esc := false
	j := i + 1
	for {
		k, lim := j, min(len(s.b), j+short)
		for k < lim && s.b[k] != '"' && s.b[k] != '\\' {
			k++
		}
		if k == lim {
			if lim == len(s.b) {
				return s.syntax(), false
			}
			q := bytes.IndexByte(s.b[k:], '"')
			if q < 0 {
				return s.syntax(), false
			}
			if bs := bytes.IndexByte(s.b[k:k+q], '\\'); bs >= 0 {
				k += bs
			} else {
				k += q
			}
		}
		if s.b[k] == '"' {
			return k + 1, esc
		}
		esc = true
		if j = s.escape(k); j < 0 {
			return -1, false
		}
	}
}

// escape checks the escape at b[i] == '\\' and returns the index after
// it: a \u escape must not be half of a surrogate pair on its own. Other
// escapes are spelled-checked by encoding/json.
func (s *strict) escape(i int) int {
	if i+1 >= len(s.b) {
		return s.syntax()
	}
	if s.b[i+1] != 'u' {
		return i + 2
	}
	r := hex4(s.b[i+2:])
	switch {
	case r < 0:
		return s.syntax()
	case r >= 0xD800 && r < 0xDC00:
		if len(s.b) > i+7 && s.b[i+6] == '\\' && s.b[i+7] == 'u' {
			if lo := hex4(s.b[i+8:]); lo >= 0xDC00 && lo < 0xE000 {
				return i + 12
			}
		}
		return s.fail(surrogate(s.b, i))
	case r >= 0xDC00 && r < 0xE000:
		return s.fail(surrogate(s.b, i))
	}
	return i + 6
}

func isControl(r rune) bool { return r < 0x20 }

// hex4 decodes four hex digits at the start of b, or returns -1.
func hex4(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	r := 0
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | int(c)
	}
	return r
}

// unquote decodes a JSON string literal with escapes (a rare member name
// or map key), or returns nil when it is not valid.
func unquote(lit []byte) []byte {
	var v string
	if err := json.Unmarshal(lit, &v); err != nil {
		return nil
	}
	return []byte(v)
}

// invalidUTF8 reports the first byte of body that is not valid UTF-8.
func invalidUTF8(body []byte) *SerializationError {
	off := 0
	for off < len(body) {
		r, n := utf8.DecodeRune(body[off:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		off += n
	}
	b := byte(0)
	if off < len(body) {
		b = body[off]
	}
	return &SerializationError{Message: "Invalid UTF-8 in request body at offset " + strconv.Itoa(off) +
		": byte 0x" + strconv.FormatUint(uint64(b), 16)}
}

// surrogate reports the \u escape at b[i] that is an unpaired surrogate.
func surrogate(b []byte, i int) *SerializationError {
	return &SerializationError{Message: "Invalid \\u escape in request body at offset " + strconv.Itoa(i) +
		": unpaired UTF-16 surrogate " + string(b[i:i+6])}
}
