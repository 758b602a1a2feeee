package audit

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldedSensitive holds sensitiveMembers under fold.
var foldedSensitive = func() map[string]bool {
	m := make(map[string]bool, len(sensitiveMembers))
	for name := range sensitiveMembers {
		m[fold(name)] = true
	}
	return m
}()

// isSensitive reports whether a top-level member name, as written in the
// body (escapes included), must not be recorded. Beyond the exact names it
// matches the same names with escapes (Pl\u0061intext, which a JSON
// decoder reads as Plaintext) and in any letter case, Unicode folds
// included (plaintext, PLAINTEXT, the Kelvin sign for K): the wire decoder
// ignores such a member, but its value is still a secret the caller sent,
// and the audit trail records the raw body of failed calls too.
func isSensitive(name string) bool {
	if sensitiveMembers[name] {
		return true
	}
	if strings.IndexByte(name, '\\') >= 0 {
		var s string
		if json.Unmarshal([]byte(`"`+name+`"`), &s) != nil {
			return true // unreadable: keep it out of the record
		}
		name = s
	}
	var buf [64]byte
	if len(name) > len(buf) {
		return false // longer than any sensitive name, folded or not
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			return foldedSensitive[fold(name)]
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return foldedSensitive[string(buf[:len(name)])] // no allocation
}

// fold maps s to a case-free form: each rune to lower(upper(r)), which
// also takes the Kelvin sign to k, long s to s and dotted I to i.
func fold(s string) string {
	return strings.Map(func(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }, s)
}
