package wire

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is the runtime used by the generated validate methods. The
// generated code compares values against constants inline and calls into
// the validator only when a constraint fails, so a valid input is checked
// without allocating: paths are linked lists of stack values that are
// rendered to strings only for a violation.

// maxEcho caps, in characters, how much of a string value a violation
// echoes; longer values are cut and suffixed with "...".
const maxEcho = 256

// path is one step of a member path: a member name, or (name == "") a
// 1-based list index.
type path struct {
	parent *path
	name   string
	index  int
}

// String renders the path in Coral form, e.g. "tags.1.member.tagKey". It
// copies the names, so that the path (which lives on the caller's stack)
// does not escape to the heap.
func (p *path) String() string {
	depth := 0
	for q := p; q != nil; q = q.parent {
		depth++
	}
	var b strings.Builder
	for up := depth - 1; up >= 0; up-- {
		q := p
		for range up {
			q = q.parent
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		if q.name != "" {
			b.WriteString(q.name)
		} else {
			b.WriteString(strconv.Itoa(q.index))
			b.WriteString(".member")
		}
	}
	return b.String()
}

// validator collects violations; its error is allocated on the first one.
type validator struct {
	err *ValidationError
}

func (v *validator) add(x Violation) {
	if v.err == nil {
		v.err = &ValidationError{}
	}
	v.err.Violations = append(v.err.Violations, x)
}

// result returns the collected *ValidationError, or a nil error.
func (v *validator) result() error {
	if v.err == nil {
		return nil
	}
	return v.err
}

// null records a missing required member.
func (v *validator) null(p *path) {
	v.add(Violation{Path: p.String(), Null: true, Constraint: constraintNotNull})
}

// str records a violation that echoes the string value s, capped.
func (v *validator) str(p *path, s, constraint string) {
	v.add(Violation{Path: p.String(), Value: capEcho(s), Constraint: constraint})
}

// redacted records a violation without echoing the value (blobs and
// sensitive shapes).
func (v *validator) redacted(p *path, constraint string) {
	v.add(Violation{Path: p.String(), Redacted: true, Constraint: constraint})
}

// number records a violation of an integer value.
func (v *validator) number(p *path, n int64, constraint string) {
	v.add(Violation{Path: p.String(), Value: strconv.FormatInt(n, 10), Constraint: constraint})
}

// strList records a violation of a list of strings, rendered as Java's
// List.toString does ("[a, b]"), capped.
func (v *validator) strList(p *path, l []string, constraint string) {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
		if b.Len() > maxEcho*utf8.UTFMax {
			break
		}
	}
	b.WriteByte(']')
	v.add(Violation{Path: p.String(), Value: capEcho(b.String()), Constraint: constraint})
}

// tooShort reports whether s has fewer than min characters (code points).
func tooShort(s string, min int) bool {
	return len(s) < utf8.UTFMax*min && utf8.RuneCountInString(s) < min
}

// tooLong reports whether s has more than max characters (code points).
func tooLong(s string, max int) bool {
	return len(s) > max && utf8.RuneCountInString(s) > max
}

// capEcho returns s cut to maxEcho characters, with "..." appended when
// it was cut.
func capEcho(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	n := 0
	for i := range s {
		if n == maxEcho {
			return s[:i] + "..."
		}
		n++
	}
	return s
}
