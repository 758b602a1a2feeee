package iamapi

import (
	"errors"
	"net/http"

	"github.com/trent-kms/trent/internal/iam"
	"github.com/trent-kms/trent/internal/sigv4"
)

// apiError is an error answered to the client: an IAM or STS error code,
// the HTTP status IAM sends it with, and the message.
type apiError struct {
	Code    string
	Status  int
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// errType is the <Type> of an error: Receiver for server faults, Sender for
// everything the client can fix.
func (e *apiError) errType() string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// HTTP statuses of IAM's errors, from the API reference (Common Errors and
// each action's Errors); codes not listed are 400. It is the one table
// from an error to its answer: the protocol's own codes, and the codes of
// the core's refusals (iam.Kind's String), which a test checks are all
// here.
var statusOf = map[string]int{
	"NoSuchEntity":               http.StatusNotFound,
	"EntityAlreadyExists":        http.StatusConflict,
	"LimitExceeded":              http.StatusConflict,
	"DeleteConflict":             http.StatusConflict,
	"MalformedPolicyDocument":    http.StatusBadRequest,
	"ValidationError":            http.StatusBadRequest,
	"InvalidInput":               http.StatusBadRequest,
	"PasswordPolicyViolation":    http.StatusBadRequest,
	"InvalidUserType":            http.StatusBadRequest,
	"InvalidAction":              http.StatusBadRequest,
	"MissingAction":              http.StatusBadRequest,
	"MalformedQueryString":       http.StatusBadRequest,
	"AccessDenied":               http.StatusForbidden,
	"InvalidClientTokenId":       http.StatusForbidden,
	"SignatureDoesNotMatch":      http.StatusForbidden,
	"MissingAuthenticationToken": http.StatusForbidden,
	"IncompleteSignature":        http.StatusBadRequest,
	"RequestEntityTooLarge":      http.StatusRequestEntityTooLarge,
	"ServiceFailure":             http.StatusInternalServerError,
}

// fail returns the error code with IAM's status for it.
func fail(code, msg string) *apiError {
	st, ok := statusOf[code]
	if !ok {
		st = http.StatusBadRequest
	}
	return &apiError{Code: code, Status: st, Message: msg}
}

// toAPIError maps any error of a request to what the client is told. The
// second result is false for internal failures, whose cause stays in the
// server's log.
func toAPIError(err error) (*apiError, bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae, true
	}
	// The core's refusals: the Kind is the IAM code, whose status
	// statusOf holds.
	var ie *iam.Error
	if errors.As(err, &ie) && ie.Kind != iam.KindNone {
		return fail(ie.Kind.String(), ie.Message), true
	}
	if fe := frameworkError(err); fe != nil {
		return fe, true
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return fromSigV4(se), true
	}
	return &apiError{Code: "ServiceFailure", Status: http.StatusInternalServerError,
		Message: "An internal error occurred. Try again."}, false
}

// fromSigV4 words an authentication failure as IAM and STS do: the same
// messages as KMS under the Query protocol's codes.
func fromSigV4(e *sigv4.Error) *apiError {
	code := "SignatureDoesNotMatch"
	switch {
	case errors.Is(e, sigv4.ErrMissingAuthentication):
		code = "MissingAuthenticationToken"
	case errors.Is(e, sigv4.ErrIncompleteSignature):
		code = "IncompleteSignature"
	case errors.Is(e, sigv4.ErrUnrecognizedClient):
		code = "InvalidClientTokenId"
	}
	msg := e.Message
	if code == "MissingAuthenticationToken" {
		msg = "Request is missing Authentication Token"
	}
	return fail(code, msg)
}
