package wire

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// This file is the strict pre-pass Decode runs before encoding/json, to
// give AWS's (Jackson's) semantics where encoding/json is lenient:
//
//   - member names match exactly: encoding/json would bind "plaintext" or
//     "keyid" (or "\u212AeyId", with the Kelvin sign) to Plaintext or
//     KeyId, so {"KeyId":A,"keyid":B} would act on B while the audit
//     record shows A. The pre-pass blanks every name that is not exactly a
//     member of its structure (in a copy of the body, made only then), so
//     that encoding/json ignores it, as AWS ignores members not in the
//     model;
//   - a member given twice, or a map key given twice, is refused
//     (encoding/json lets the last one win);
//   - invalid UTF-8 anywhere, and \u escapes that are unpaired UTF-16
//     surrogates, are refused (encoding/json replaces both with U+FFFD, so
//     that distinct encryption contexts decoded equal).
//
// The pre-pass walks the JSON structure once, guided by the schema of the
// target type, without allocating on a clean body. It checks only what
// it needs for that walk; every other syntax error (bad numbers, literals,
// control characters, trailing data) is left to encoding/json, which
// reads the same structure. On any body encoding/json accepts, the walk
// succeeds unless one of the rules above is broken.

// maxDepth bounds nesting as encoding/json does (10000), with a margin so
// that a body encoding/json refuses for depth gets its own error.
const maxDepth = 10000 + 16

// errSyntax marks a body the pre-pass cannot walk: not JSON.
var errSyntax = errors.New("wire: malformed JSON")

// strict holds the state of one pre-pass.
type strict struct {
	b     []byte // the body
	out   []byte // copy of b with blanked names; nil until one is blanked
	err   error  // first failure: errSyntax or a *SerializationError
	depth int
}

// strictCheck runs the pre-pass on body, a JSON object to be decoded into
// a value of schema sc. It returns the body to give to encoding/json
// (body itself, or a copy with non-member names blanked), or a
// *SerializationError.
func strictCheck(body []byte, sc *schema) ([]byte, error) {
	if !utf8.Valid(body) {
		return nil, invalidUTF8(body)
	}
	s := strict{b: body}
	if s.value(0, sc, "") < 0 {
		if s.err == errSyntax {
			return nil, malformed(body)
		}
		return nil, s.err
	}
	if s.out != nil {
		return s.out, nil
	}
	return body, nil
}

// fail records err and returns -1, the index that means "stop".
func (s *strict) fail(err error) int {
	s.err = err
	return -1
}

func (s *strict) syntax() int { return s.fail(errSyntax) }

func (s *strict) ws(i int) int {
	for i < len(s.b) {
		switch s.b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// value walks the value at or after b[i] and returns the index after it.
// member names the innermost structure member, for error messages.
func (s *strict) value(i int, sc *schema, member string) int {
	i = s.ws(i)
	if i >= len(s.b) {
		return s.syntax()
	}
	switch s.b[i] {
	case '{':
		return s.object(i, sc, member)
	case '[':
		return s.array(i, sc, member)
	case '"':
		end, _ := s.str(i)
		return end
	}
	// A number or literal; encoding/json checks its spelling. In valid
	// JSON it ends at a delimiter or at the end of the body.
	for i < len(s.b) {
		switch s.b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// object walks the object at b[i] == '{'. For a structure it matches names
// exactly, blanks the others and refuses duplicates; for a map it refuses
// duplicate keys; any other object is walked for its strings only.
func (s *strict) object(i int, sc *schema, member string) int {
	if s.depth++; s.depth > maxDepth {
		return s.syntax()
	}
	if sc != nil && sc.kind != kindStruct && sc.kind != kindMap {
		sc = nil // a type mismatch, which encoding/json reports
	}
	var (
		seen    uint64 // members seen, by index (< 64)
		seenBig []bool // members seen, for a structure of 64 or more
		keys    keySet
	)
	i = s.ws(i + 1)
	if i < len(s.b) && s.b[i] == '}' {
		s.depth--
		return i + 1
	}
	for {
		if i >= len(s.b) || s.b[i] != '"' {
			return s.syntax()
		}
		start := i
		end, esc := s.str(i)
		if end < 0 {
			return -1
		}
		name := s.b[start+1 : end-1]
		if esc && sc != nil {
			if name = unquote(s.b[start:end]); name == nil {
				return s.syntax()
			}
		}
		var child *schema
		childMember := member
		switch {
		case sc == nil:
		case sc.kind == kindStruct:
			f := sc.field(name)
			if f < 0 {
				// Blanking would hide a control character, which
				// makes the body malformed (escapes were checked by
				// unquote).
				if bytes.IndexFunc(name, isControl) >= 0 {
					return s.syntax()
				}
				s.blank(start+1, end-1)
				break
			}
			if f >= 64 && seenBig == nil {
				seenBig = make([]bool, len(sc.fields))
			}
			if f < 64 && seen&(1<<f) != 0 || f >= 64 && seenBig[f] {
				return s.fail(&SerializationError{Message: "Duplicate field '" + sc.fields[f].name + "'", Field: sc.fields[f].name})
			}
			if f < 64 {
				seen |= 1 << f
			} else {
				seenBig[f] = true
			}
			child, childMember = sc.fields[f].sub, sc.fields[f].name
		default: // kindMap
			if !keys.add(name) {
				return s.fail(&SerializationError{Message: "Duplicate map key in '" + member + "'", Field: member})
			}
			child = sc.elem
		}
		i = s.ws(end)
		if i >= len(s.b) || s.b[i] != ':' {
			return s.syntax()
		}
		if i = s.value(i+1, child, childMember); i < 0 {
			return -1
		}
		i = s.ws(i)
		if i >= len(s.b) {
			return s.syntax()
		}
		switch s.b[i] {
		case ',':
			i = s.ws(i + 1)
		case '}':
			s.depth--
			return i + 1
		default:
			return s.syntax()
		}
	}
}

// array walks the array at b[i] == '['.
func (s *strict) array(i int, sc *schema, member string) int {
	if s.depth++; s.depth > maxDepth {
		return s.syntax()
	}
	var elem *schema
	if sc != nil && sc.kind == kindList {
		elem = sc.elem
	}
	i = s.ws(i + 1)
	if i < len(s.b) && s.b[i] == ']' {
		s.depth--
		return i + 1
	}
	for {
		if i = s.value(i, elem, member); i < 0 {
			return -1
		}
		i = s.ws(i)
		if i >= len(s.b) {
			return s.syntax()
		}
		switch s.b[i] {
		case ',':
			i++
		case ']':
			s.depth--
			return i + 1
		default:
			return s.syntax()
		}
	}
}

// blank replaces b[from:to] (a member name) by spaces in the copy.
func (s *strict) blank(from, to int) {
	if s.out == nil {
		s.out = bytes.Clone(s.b)
	}
	for k := from; k < to; k++ {
		s.out[k] = ' '
	}
}

// keySet detects a repeated key of one map object. The first keys are
// compared in place, without allocating; a large map switches to a Go map.
type keySet struct {
	small [8][]byte
	n     int
	big   map[string]struct{}
}

// add records k and reports whether it was new.
func (ks *keySet) add(k []byte) bool {
	if ks.big == nil {
		for _, o := range ks.small[:ks.n] {
			if bytes.Equal(o, k) {
				return false
			}
		}
		if ks.n < len(ks.small) {
			ks.small[ks.n] = k
			ks.n++
			return true
		}
		ks.big = make(map[string]struct{}, 2*len(ks.small))
		for _, o := range ks.small {
			ks.big[string(o)] = struct{}{}
		}
	}
	if _, dup := ks.big[string(k)]; dup {
		return false
	}
	ks.big[string(k)] = struct{}{}
	return true
}
