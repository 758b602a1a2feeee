package iam

import (
	"errors"
	"fmt"
)

// Kind is the IAM error code of a refusal.
type Kind uint8

// The kinds of refusal, one per IAM error code the service answers.
const (
	KindNone                Kind = iota // not a refusal: an internal failure
	NoSuchEntity                        // the user, access key or policy does not exist
	EntityAlreadyExists                 // a user of that name, in any case, exists
	DeleteConflict                      // DeleteUser of a user that still has keys or policies
	LimitExceeded                       // a quota: access keys, attached policies, inline policy size
	ValidationError                     // a parameter, or a marker, is not valid
	InvalidInput                        // valid in form, but not accepted
	MalformedPolicyDocument             // an inline policy does not parse
	AccessDenied                        // the caller's policies do not allow the action
	PasswordPolicyViolation             // a console password does not meet the password policy
	InvalidUserType                     // ChangePassword by a caller that is not an IAM user
)

var kindNames = [...]string{
	KindNone:                "InternalFailure",
	NoSuchEntity:            "NoSuchEntity",
	EntityAlreadyExists:     "EntityAlreadyExists",
	DeleteConflict:          "DeleteConflict",
	LimitExceeded:           "LimitExceeded",
	ValidationError:         "ValidationError",
	InvalidInput:            "InvalidInput",
	MalformedPolicyDocument: "MalformedPolicyDocument",
	AccessDenied:            "AccessDenied",
	PasswordPolicyViolation: "PasswordPolicyViolation",
	InvalidUserType:         "InvalidUserType",
}

// String returns the IAM error code.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Error is a refusal: its Kind and IAM's message for it. Messages name
// only what the caller gave or may see, never a secret.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Kind.String() + ": " + e.Message }

// Errorf returns an *Error of kind k.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the Kind of err, KindNone when it is not a refusal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindNone
}

func noSuchUser(name string) *Error {
	return Errorf(NoSuchEntity, "The user with name %s cannot be found.", name)
}

func noSuchAccessKey(id string) *Error {
	return Errorf(NoSuchEntity, "The Access Key with id %s cannot be found.", id)
}

func noSuchUserPolicy(name string) *Error {
	return Errorf(NoSuchEntity, "The user policy with name %s cannot be found.", name)
}

func notAttachable(arn string) *Error {
	return Errorf(NoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
}

func userExists(name string) *Error {
	return Errorf(EntityAlreadyExists, "User with name %s already exists.", name)
}

// storedPolicyError is a user's stored policy that cannot be enforced: an
// internal failure, answered as such.
type storedPolicyError struct {
	user, policy string
	err          error
}

func (e *storedPolicyError) Error() string {
	return "iam: policy " + e.policy + " of user " + e.user + ": " + e.err.Error()
}

func (e *storedPolicyError) Unwrap() error { return e.err }

var errUnknownManaged = errors.New("not a managed policy Trent ships")
