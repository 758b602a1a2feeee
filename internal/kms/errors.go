package kms

import (
	"errors"
	"fmt"
)

// Kinds of failure the core reports. Every error the Service returns for a
// client mistake is an *Error whose Kind is one of these, so callers use
// errors.Is(err, kms.ErrNotFound) and the api package maps each kind to its
// AWS exception name in one table. Errors of no kind are internal failures.
var (
	ErrNotFound             = errors.New("NotFound")
	ErrInvalidArn           = errors.New("InvalidArn")
	ErrAlreadyExists        = errors.New("AlreadyExists")
	ErrDisabled             = errors.New("Disabled")
	ErrInvalidState         = errors.New("KMSInvalidState")
	ErrInvalidAliasName     = errors.New("InvalidAliasName")
	ErrInvalidCiphertext    = errors.New("InvalidCiphertext")
	ErrIncorrectKey         = errors.New("IncorrectKey")
	ErrInvalidKeyUsage      = errors.New("InvalidKeyUsage")
	ErrInvalidMarker        = errors.New("InvalidMarker")
	ErrLimitExceeded        = errors.New("LimitExceeded")
	ErrTag                  = errors.New("Tag")
	ErrUnsupported          = errors.New("UnsupportedOperation")
	ErrValidation           = errors.New("Validation")
	ErrDryRun               = errors.New("DryRunOperation")
	ErrAccessDenied         = errors.New("AccessDenied")
	ErrNotAuthorized        = errors.New("NotAuthorized")
	ErrCustomKeyStoreAbsent = errors.New("CustomKeyStoreNotFound")
	ErrInvalidImportToken   = errors.New("InvalidImportToken")
	ErrExpiredImportToken   = errors.New("ExpiredImportToken")
	ErrIncorrectKeyMaterial = errors.New("IncorrectKeyMaterial")
	ErrMalformedPolicy      = errors.New("MalformedPolicyDocument")
	ErrInvalidGrantToken    = errors.New("InvalidGrantToken")
	ErrInvalidGrantID       = errors.New("InvalidGrantId")
	ErrConflict             = errors.New("Conflict")
	ErrInvalidSignature     = errors.New("KMSInvalidSignature")
	ErrInvalidMac           = errors.New("KMSInvalidMac")
)

// Error is a client-visible failure: a kind and the message AWS would give.
// Messages never contain key material, plaintext or secrets.
type Error struct {
	Kind    error
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is reports whether target is e's kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

func newError(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrNoPrincipal refuses a call that reached the core without an
// authenticated principal in its context. The front door never lets one
// through; the core refuses anyway, so that a route or an internal caller
// that forgot to say who it acts for fails closed (AccessDenied) instead of
// acting with every permission.
var ErrNoPrincipal error = &Error{Kind: ErrAccessDenied, Message: "The request was not made by an authenticated principal."}

// errInvalidCiphertext is the one error for any ciphertext that cannot be
// decrypted. AWS sends no message with it; neither does Trent, so that no
// failure is distinguishable from another.
var errInvalidCiphertext = &Error{Kind: ErrInvalidCiphertext}

// stateError returns the error AWS gives when key k's state forbids an
// operation (footnotes of the key-state table).
func stateError(arn, state string) error {
	switch state {
	case StateDisabled:
		return newError(ErrDisabled, "%s is disabled.", arn)
	case StatePendingDeletion:
		return newError(ErrInvalidState, "%s is pending deletion.", arn)
	case StatePendingImport:
		return newError(ErrInvalidState, "%s is pending import.", arn)
	case StateUnavailable:
		return newError(ErrInvalidState, "%s is unavailable.", arn)
	default:
		return newError(ErrInvalidState, "%s is %s.", arn, state)
	}
}
