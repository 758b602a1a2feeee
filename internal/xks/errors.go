package xks

import (
	"errors"
	"net/http"
)

// Error is an answer of the XKS proxy API's error table (spec §5): its
// errorName, HTTP status and errorMessage. Messages are fixed texts of
// this package or texts that echo nothing secret; KMS ignores them, but
// operators read them in the audit trail.
type Error struct {
	Name    string
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }

// The errorName values of the specification, with their statuses.
const (
	ValidationException           = "ValidationException"
	InvalidStateException         = "InvalidStateException"
	InvalidCiphertextException    = "InvalidCiphertextException"
	InvalidKeyUsageException      = "InvalidKeyUsageException"
	AuthenticationFailedException = "AuthenticationFailedException"
	AccessDeniedException         = "AccessDeniedException"
	KeyNotFoundException          = "KeyNotFoundException"
	InvalidUriPathException       = "InvalidUriPathException"
	ThrottlingException           = "ThrottlingException"
	InternalException             = "InternalException"
	UnsupportedOperationException = "UnsupportedOperationException"
	DependencyTimeoutException    = "DependencyTimeoutException"
)

// statuses is the specification's error table: the HTTP status of each
// errorName.
var statuses = map[string]int{
	ValidationException:           http.StatusBadRequest,
	InvalidStateException:         http.StatusBadRequest,
	InvalidCiphertextException:    http.StatusBadRequest,
	InvalidKeyUsageException:      http.StatusBadRequest,
	AuthenticationFailedException: http.StatusUnauthorized,
	AccessDeniedException:         http.StatusForbidden,
	KeyNotFoundException:          http.StatusNotFound,
	InvalidUriPathException:       http.StatusNotFound,
	ThrottlingException:           http.StatusTooManyRequests,
	InternalException:             http.StatusInternalServerError,
	UnsupportedOperationException: http.StatusNotImplemented,
	DependencyTimeoutException:    http.StatusServiceUnavailable,
}

// newError returns the error named name with its table status.
func newError(name, msg string) *Error {
	return &Error{Name: name, Status: statuses[name], Message: msg}
}

// errMethodNotAllowed answers a GET (or any method but POST) on an API
// URI: the specification requires 405. Its errorName is not in the
// table, which has no entry for it; KMS never sends one.
var errMethodNotAllowed = &Error{Name: ValidationException, Status: http.StatusMethodNotAllowed,
	Message: "The XKS proxy API accepts only POST requests."}

// Fixed messages. errBadCiphertext is deliberately vague: which part of
// the ciphertext, IV, tag, AAD or metadata did not authenticate is not
// told (spec: InvalidCiphertextException).
var (
	errBadCiphertext = newError(InvalidCiphertextException, "The ciphertext, its metadata or its additional authenticated data is invalid.")
	errInternal      = newError(InternalException, "The XKS proxy could not complete the request.")
	errDependency    = newError(DependencyTimeoutException, "The key manager (HSM) did not answer; it may be unreachable.")
	errNoMetadata    = newError(ValidationException, "The request has no requestMetadata.")
	errDisabled      = newError(InvalidStateException, "The external key is disabled in the key manager: it may neither encrypt nor decrypt.")
	errKeyNotFound   = newError(KeyNotFoundException, "The external key was not found.")
	errDenied        = newError(AccessDeniedException, "The request is not authorized for this external key.")
)

// asError returns err's *Error, if it is one.
func asError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
