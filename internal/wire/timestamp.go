package wire

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Timestamp is a model timestamp member. On the AWS JSON 1.1 wire it is a
// JSON number of seconds since the Unix epoch, optionally fractional
// (1480632737, 1480632737.044 or 1.480632737044E9).
type Timestamp struct {
	time.Time
}

// NewTimestamp returns a pointer to a Timestamp holding t, for optional
// timestamp members.
func NewTimestamp(t time.Time) *Timestamp {
	return &Timestamp{Time: t}
}

// Ptr returns a pointer to a copy of v, for optional members such as
// *int32 and *bool: Ptr(int32(30)), Ptr(true).
func Ptr[T any](v T) *T {
	return &v
}

// Timestamps outside years 0001..9999 are rejected on decode.
const (
	minEpoch = -62135596800 // 0001-01-01T00:00:00Z
	maxEpoch = 253402300799 // 9999-12-31T23:59:59Z
)

// MarshalJSON writes epoch seconds with millisecond precision (sub-
// millisecond digits are truncated), as an integer when there is no
// fractional part and without trailing zeros otherwise: 1480632737,
// 1480632737.044, 1480632737.5.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	b := make([]byte, 0, 24)
	if ms < 0 {
		b = append(b, '-')
		ms = -ms
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		digits := []byte{'.', byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
		b = append(b, bytes.TrimRight(digits, "0")...)
	}
	return b, nil
}

// UnmarshalJSON accepts a JSON number of epoch seconds in integer,
// fractional or exponent form, keeping nanosecond precision, and sets a
// UTC time. JSON null leaves t unchanged. Any other JSON type, or a value
// outside years 0001..9999, yields a *SerializationError.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) == 0 {
		return &SerializationError{Message: "Unexpected end of input where a timestamp was expected"}
	}
	var msg string
	switch b[0] {
	case '"':
		msg = "STRING_VALUE cannot be converted to Timestamp"
	case 't':
		msg = "TRUE_VALUE cannot be converted to Timestamp"
	case 'f':
		msg = "FALSE_VALUE cannot be converted to Timestamp"
	case '[':
		msg = "Unrecognized collection type class java.util.Date"
	case '{':
		msg = "Start of structure or map found where not expected"
	}
	if msg != "" {
		return &SerializationError{Message: msg}
	}
	sec, nsec, err := parseEpoch(string(b))
	if err != nil {
		return &SerializationError{Message: "Invalid timestamp value: " + err.Error(), Err: err}
	}
	t.Time = time.Unix(sec, nsec).UTC()
	return nil
}

var errEpochRange = errors.New("out of range (years 0001 to 9999)")

// parseEpoch parses a JSON number of seconds exactly (no float rounding)
// into whole seconds and nanoseconds; digits past the nanosecond are
// truncated toward zero.
func parseEpoch(s string) (sec, nsec int64, err error) {
	if !isJSONNumber(s) {
		return 0, 0, errors.New("not a number")
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > 1000 || e < -1000 {
			return 0, 0, errEpochRange
		}
		exp = e
	}
	intPart, fracPart := mant, ""
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		intPart, fracPart = mant[:i], mant[i+1:]
	}
	all := intPart + fracPart
	digits := strings.TrimLeft(all, "0")
	if digits == "" {
		return 0, 0, nil
	}
	// point is the position of the decimal point within digits.
	point := len(intPart) + exp - (len(all) - len(digits))
	if point > 12 {
		return 0, 0, errEpochRange
	}
	secDigits, fracDigits := "0", ""
	switch {
	case point <= 0:
		fracDigits = strings.Repeat("0", min(-point, 10)) + digits
	case point >= len(digits):
		secDigits = digits + strings.Repeat("0", point-len(digits))
	default:
		secDigits, fracDigits = digits[:point], digits[point:]
	}
	if len(fracDigits) > 9 {
		fracDigits = fracDigits[:9]
	}
	fracDigits += strings.Repeat("0", 9-len(fracDigits))
	sec, _ = strconv.ParseInt(secDigits, 10, 64)
	nsec, _ = strconv.ParseInt(fracDigits, 10, 64)
	if neg {
		sec = -sec
		if nsec > 0 {
			sec, nsec = sec-1, 1e9-nsec
		}
	}
	if sec < minEpoch || sec > maxEpoch {
		return 0, 0, errEpochRange
	}
	return sec, nsec, nil
}

// isJSONNumber reports whether s is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	if n := digits(); n == 0 || (n > 1 && s[start] == '0') {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
