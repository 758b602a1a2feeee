package api

import (
	"errors"
	"net/http"

	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/wire"
)

// wireError is an error as it goes on the wire: the AWS exception name,
// the HTTP status and the message.
type wireError struct {
	Type    string
	Status  int
	Message string
}

// Framework errors that no core package produces.
var (
	errUnknownOperation = &wireError{"UnknownOperationException", http.StatusBadRequest, ""}
	errTooLarge         = &wireError{"RequestEntityTooLargeException", http.StatusRequestEntityTooLarge, "Request entity too large"}
	errUnreadable       = &wireError{"MalformedHttpRequestException", http.StatusBadRequest, "The request body could not be read."}
	errInternal         = &wireError{"KMSInternalException", http.StatusInternalServerError, "An internal error occurred. Retry the request."}
)

func (e *wireError) Error() string { return e.Type + ": " + e.Message }

// errorTable maps every kind of core, SigV4, wire and front-door error to
// its AWS exception name and HTTP status. Client faults are 400, as the
// live service sends them (including authentication failures; see the
// reference's errors.md §4 and §7); server faults 500.
var errorTable = []struct {
	kind   error
	typ    string
	status int
}{
	{kms.ErrNotFound, "NotFoundException", 400},
	{kms.ErrInvalidArn, "InvalidArnException", 400},
	{kms.ErrAlreadyExists, "AlreadyExistsException", 400},
	{kms.ErrDisabled, "DisabledException", 400},
	{kms.ErrInvalidState, "KMSInvalidStateException", 400},
	{kms.ErrInvalidAliasName, "InvalidAliasNameException", 400},
	{kms.ErrInvalidCiphertext, "InvalidCiphertextException", 400},
	{kms.ErrIncorrectKey, "IncorrectKeyException", 400},
	{kms.ErrInvalidKeyUsage, "InvalidKeyUsageException", 400},
	{kms.ErrInvalidMarker, "InvalidMarkerException", 400},
	{kms.ErrLimitExceeded, "LimitExceededException", 400},
	{kms.ErrTag, "TagException", 400},
	{kms.ErrUnsupported, "UnsupportedOperationException", 400},
	{kms.ErrValidation, "ValidationException", 400},
	{kms.ErrDryRun, "DryRunOperationException", 400},
	{kms.ErrAccessDenied, "AccessDeniedException", 400},
	{kms.ErrNotAuthorized, "NotAuthorizedException", 400},
	{kms.ErrCustomKeyStoreAbsent, "CustomKeyStoreNotFoundException", 400},
	{kms.ErrInvalidImportToken, "InvalidImportTokenException", 400},
	{kms.ErrExpiredImportToken, "ExpiredImportTokenException", 400},
	{kms.ErrIncorrectKeyMaterial, "IncorrectKeyMaterialException", 400},
	{kms.ErrMalformedPolicy, "MalformedPolicyDocumentException", 400},
	{kms.ErrInvalidGrantToken, "InvalidGrantTokenException", 400},
	{kms.ErrInvalidGrantID, "InvalidGrantIdException", 400},
	{kms.ErrConflict, "ConflictException", 400},
	{kms.ErrInvalidSignature, "KMSInvalidSignatureException", 400},
	{kms.ErrInvalidMac, "KMSInvalidMacException", 400},
	{kms.ErrCustomKeyStoreInvalidState, "CustomKeyStoreInvalidStateException", 400},
	{kms.ErrCustomKeyStoreNameInUse, "CustomKeyStoreNameInUseException", 400},
	{kms.ErrCustomKeyStoreHasCMKs, "CustomKeyStoreHasCMKsException", 400},
	{kms.ErrCloudHsmClusterNotFound, "CloudHsmClusterNotFoundException", 400},
	{kms.ErrXksKeyAlreadyInUse, "XksKeyAlreadyInUseException", 400},
	{kms.ErrXksKeyInvalidConfiguration, "XksKeyInvalidConfigurationException", 400},
	{kms.ErrXksKeyNotFound, "XksKeyNotFoundException", 400},
	{kms.ErrXksProxyIncorrectCredential, "XksProxyIncorrectAuthenticationCredentialException", 400},
	{kms.ErrXksProxyInvalidConfiguration, "XksProxyInvalidConfigurationException", 400},
	{kms.ErrXksProxyInvalidResponse, "XksProxyInvalidResponseException", 400},
	{kms.ErrXksProxyURIEndpointInUse, "XksProxyUriEndpointInUseException", 400},
	{kms.ErrXksProxyURIInUse, "XksProxyUriInUseException", 400},
	{kms.ErrXksProxyURIUnreachable, "XksProxyUriUnreachableException", 400},
	{kms.ErrXksProxyVpcEndpointSvcNotFound, "XksProxyVpcEndpointServiceNotFoundException", 400},

	{sigv4.ErrMissingAuthentication, "MissingAuthenticationTokenException", 400},
	{sigv4.ErrIncompleteSignature, "IncompleteSignatureException", 400},
	{sigv4.ErrUnrecognizedClient, "UnrecognizedClientException", 400},
	{sigv4.ErrInvalidSignature, "InvalidSignatureException", 400},
}

// frameworkErrors maps the front door's own failures.
var frameworkErrors = []struct {
	kind error
	we   *wireError
}{
	{frontdoor.ErrTooLarge, errTooLarge},
	{frontdoor.ErrUnreadable, errUnreadable},
	// Already logged loudly by the pipeline; the client is told to retry.
	{frontdoor.ErrAuditUnavailable, errInternal},
}

// toWire converts any error to its wire form. A client gets the message of
// the typed error itself (kms.Error, sigv4.Error, wire's errors), never the
// text of a chain that wraps it, so wrapping an error with %w cannot leak
// internals. Errors of no known kind become KMSInternalException with a
// fixed message; ok is false for them so the caller logs the cause.
func toWire(err error) (we *wireError, ok bool) {
	if errors.As(err, &we) {
		return we, true
	}
	for _, f := range frameworkErrors {
		if errors.Is(err, f.kind) {
			return f.we, true
		}
	}
	var ve *wire.ValidationError
	if errors.As(err, &ve) {
		return &wireError{"ValidationException", 400, ve.Error()}, true
	}
	var se *wire.SerializationError
	if errors.As(err, &se) {
		return &wireError{"SerializationException", 400, se.Error()}, true
	}
	for _, e := range errorTable {
		if errors.Is(err, e.kind) {
			return &wireError{e.typ, e.status, ownMessage(err)}, true
		}
	}
	return errInternal, false
}

// ownMessage returns the message of the typed error in err's chain.
func ownMessage(err error) string {
	var ke *kms.Error
	if errors.As(err, &ke) {
		return ke.Message
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return se.Message
	}
	// A bare kind (errors.Is matched a sentinel): its name is no message.
	return ""
}
