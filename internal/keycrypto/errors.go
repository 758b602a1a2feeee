package keycrypto

import (
	"errors"
	"fmt"
)

// AWS exception names carried by *Error. The core maps each to its own error
// kind; the names are AWS's, so the mapping is one table.
const (
	ExcValidation           = "ValidationException"
	ExcInvalidKeyUsage      = "InvalidKeyUsageException"
	ExcInvalidSignature     = "KMSInvalidSignatureException"
	ExcInvalidMac           = "KMSInvalidMacException"
	ExcInvalidCiphertext    = "InvalidCiphertextException"
	ExcIncorrectKeyMaterial = "IncorrectKeyMaterialException"
	ExcUnsupported          = "UnsupportedOperationException"
)

// Error is a failure caused by the request: the AWS exception name and the
// message AWS gives (empty where AWS sends none). Messages never contain key
// material, plaintext, messages or signatures. Any other error returned by
// this package is an internal failure (corrupt stored material, an unknown
// key spec passed by the caller, a failing random source).
type Error struct {
	Exception string
	Message   string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Exception
	}
	return e.Exception + ": " + e.Message
}

// Exception returns the AWS exception name of err if it is (or wraps) an
// *Error, and "" otherwise.
func Exception(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Exception
	}
	return ""
}

func newError(exception, format string, args ...any) *Error {
	return &Error{Exception: exception, Message: fmt.Sprintf(format, args...)}
}

// The failures AWS reports with no message at all (asymmetric.md §5.3, §6,
// §8; hmac.md §5): one value each, so that no failure is distinguishable
// from another.
var (
	errInvalidSignature  = &Error{Exception: ExcInvalidSignature}
	errInvalidMac        = &Error{Exception: ExcInvalidMac}
	errInvalidCiphertext = &Error{Exception: ExcInvalidCiphertext}
	errInvalidPeerKey    = &Error{Exception: ExcValidation}
)

// incompatible is InvalidKeyUsageException template 2 of asymmetric.md §9.
func incompatible(alg, spec string) *Error {
	return newError(ExcInvalidKeyUsage, "Algorithm %s is incompatible with key spec %s.", alg, spec)
}

// lengthError is the framework's message for a blob member outside its
// length bounds; sensitive members omit the value (asymmetric.md §5.1).
func lengthError(member string, n, min, max int) *Error {
	if n < min {
		return newError(ExcValidation, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", member, min)
	}
	return newError(ExcValidation, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", member, max)
}

func checkLength(member string, b []byte, min, max int) error {
	if len(b) < min || len(b) > max {
		return lengthError(member, len(b), min, max)
	}
	return nil
}

// enumError is the framework's message for a value outside an enum.
func enumError(member, value, set string) *Error {
	return newError(ExcValidation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, member, set)
}

// incorrectMaterial is IncorrectKeyMaterialException with Trent's wording:
// AWS documents the exception but not its text (import.md §5).
func incorrectMaterial(format string, args ...any) *Error {
	return newError(ExcIncorrectKeyMaterial, format, args...)
}

// errUnknownSpec is an internal error: the caller passed a key spec this
// package does not implement for the operation.
func errUnknownSpec(spec string) error {
	return fmt.Errorf("keycrypto: unsupported key spec %q", spec)
}
