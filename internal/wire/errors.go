package wire

import (
	"strconv"
	"strings"
)

// Validator is implemented by every generated operation input struct.
// Validate returns nil when the input satisfies every constraint of the
// KMS service model, and otherwise a *ValidationError.
type Validator interface {
	Validate() error
}

// constraintNotNull is Coral's phrase for a missing required member.
const constraintNotNull = "Member must not be null"

// Violation is one failed constraint on one member.
type Violation struct {
	// Path is the member path in Coral form: the model member name with its
	// first letter lower-cased, list elements as "<list>.<n>.member" with a
	// 1-based index, nested members joined with dots, e.g.
	// "tags.2.member.tagKey".
	Path string

	// Value is the offending value as echoed in the message, without the
	// surrounding quotes: strings (capped at 256 characters plus
	// "..."), decimal integers, or a list rendered as "[a, b]". It is empty
	// when Null or Redacted is set.
	Value string

	// Null is set for a missing required member ("Value null at ...").
	Null bool

	// Redacted is set when the value is not echoed: blobs and members whose
	// shape is marked sensitive in the model ("Value at ...").
	Redacted bool

	// Constraint is the Coral constraint phrase, e.g. "Member must have
	// length less than or equal to 2048".
	Constraint string
}

// String renders the violation as Coral does, e.g.
// "Value 'abc' at 'keyId' failed to satisfy constraint: Member must ...".
func (v Violation) String() string {
	var b strings.Builder
	v.writeTo(&b)
	return b.String()
}

func (v Violation) writeTo(b *strings.Builder) {
	switch {
	case v.Null:
		b.WriteString("Value null at '")
	case v.Redacted:
		b.WriteString("Value at '")
	default:
		b.WriteString("Value '")
		b.WriteString(v.Value)
		b.WriteString("' at '")
	}
	b.WriteString(v.Path)
	b.WriteString("' failed to satisfy constraint: ")
	b.WriteString(v.Constraint)
}

// ValidationError is returned by Validate when an input breaks one or more
// model constraints. Its message is the one AWS sends with a
// ValidationException (HTTP 400), e.g.
//
//	1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null
type ValidationError struct {
	// Violations lists every violation, in member order (model order,
	// depth first, list elements in index order).
	Violations []Violation
}

// Error returns the AWS message: "<n> validation error(s) detected: " and
// the violations joined with "; ".
func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Violations)
	b.WriteString(strconv.Itoa(n))
	if n == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		v.writeTo(&b)
	}
	return b.String()
}

// SerializationError is returned by Decode when a request body is not
// JSON, is not a JSON object, or holds a value of the wrong JSON type for
// a member. It maps to AWS's SerializationException (HTTP 400).
type SerializationError struct {
	// Message is the text to send as the exception message. For type
	// mismatches it follows Coral's wording, e.g. "STRING_VALUE cannot be
	// converted to Integer"; see the package documentation.
	Message string

	// Field is the dotted JSON member path of a type mismatch when known
	// (e.g. "Tags.TagKey"), for logs; it is not part of Message.
	Field string

	// Err is the underlying decoding error, if any.
	Err error
}

// Error returns Message.
func (e *SerializationError) Error() string { return e.Message }

// Unwrap returns the underlying decoding error.
func (e *SerializationError) Unwrap() error { return e.Err }
