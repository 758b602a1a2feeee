package sigv4

import (
	"net/http"
	"strconv"
	"time"
)

// amzDateLen is the length of an ISO-8601 basic timestamp, 20060102T150405Z.
const amzDateLen = len("20060102T150405Z")

// parseAmzDate parses an X-Amz-Date value. Only the exact basic format is
// accepted (no fractional seconds, no offset other than Z), because that string
// is copied verbatim into the string to sign and clients must agree on it.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != amzDateLen || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, j int) int {
		n := 0
		for ; i < j; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(4, 6), num(6, 8)
	hour, minute, sec := num(9, 11), num(11, 13), num(13, 15)
	// Check the ranges explicitly: time.Date would silently normalise
	// 20150231 into March, and the client's scope date would then disagree
	// with the time we check the clock against.
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 ||
		minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false
	}
	return t, true
}

// requestTime returns the signing time of a header-form request and the
// timestamp line of its string to sign. X-Amz-Date wins over Date; a Date
// header (RFC 1123 and the other HTTP formats) is converted to the basic format,
// as the AWS test suite's Date-header vectors do.
func requestTime(h http.Header) (t time.Time, amzDate string, err *Error) {
	if v := h["X-Amz-Date"]; len(v) > 0 {
		t, ok := parseAmzDate(v[0])
		if !ok {
			return time.Time{}, "", errBadDate(v[0])
		}
		return t, v[0], nil
	}
	v := h["Date"]
	if len(v) == 0 {
		return time.Time{}, "", incomplete(msgRequiresDate)
	}
	t, perr := http.ParseTime(v[0])
	if perr != nil {
		return time.Time{}, "", errBadDate(v[0])
	}
	t = t.UTC().Truncate(time.Second)
	return t, isoBasic(t), nil
}

// appendISOBasic appends t (in UTC, truncated to the second) in the basic
// format without going through time.Format's layout interpreter.
func appendISOBasic(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	dst = appendDigits(dst, year, 4)
	dst = appendDigits(dst, int(month), 2)
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = appendDigits(dst, minute, 2)
	dst = appendDigits(dst, sec, 2)
	return append(dst, 'Z')
}

func isoBasic(t time.Time) string {
	var b [amzDateLen]byte
	return string(appendISOBasic(b[:0], t))
}

func appendDigits(dst []byte, n, width int) []byte {
	var b [8]byte
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[:width]...)
}

// windowText renders a clock window the way AWS does ("5 min."), falling back
// to seconds for windows that are not whole minutes (e.g. X-Amz-Expires=90).
func windowText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min."
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " sec."
}

// checkClock enforces the signing-time window. A header-form request must be
// within ±skew of now. A presigned request may not be from the future either,
// but it stays valid for X-Amz-Expires after its date instead of for skew
// (when X-Amz-Expires is absent the header-form rule applies).
func checkClock(t time.Time, amzDate string, now time.Time, skew, expires time.Duration) *Error {
	if t.After(now.Add(skew)) {
		return errNotYetCurrent(amzDate, now, skew)
	}
	window := skew
	if expires > 0 {
		window = expires
	}
	if t.Before(now.Add(-window)) {
		return errExpired(amzDate, now, window)
	}
	return nil
}
