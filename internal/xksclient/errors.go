package xksclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
)

// Failure is what went wrong with one call to a proxy: the rows of the
// spec's "KMS considerations" table of failure scenarios. The kms core
// turns a Failure into the exception the calling KMS operation answers
// (the same scenario is XksProxyUriUnreachableException for
// CreateCustomKeyStore and KMSInvalidStateException for Encrypt) and into
// the ConnectionErrorCode of a failed connection.
type Failure int

// Failures. The first group are the proxy's own errorNames; the second
// are failures KMS observes itself.
const (
	FailValidation        Failure = iota + 1 // ValidationException
	FailInvalidState                         // InvalidStateException: the external key is disabled
	FailInvalidCiphertext                    // InvalidCiphertextException
	FailInvalidKeyUsage                      // InvalidKeyUsageException
	FailAuthentication                       // AuthenticationFailedException: SigV4 refused
	FailAccessDenied                         // AccessDeniedException: secondary authorization
	FailKeyNotFound                          // KeyNotFoundException
	FailInvalidURIPath                       // InvalidUriPathException
	FailThrottling                           // ThrottlingException
	FailInternal                             // InternalException
	FailUnsupported                          // UnsupportedOperationException
	FailDependencyTimeout                    // DependencyTimeoutException

	FailUnreachable     // no TCP connection
	FailTLS             // no TLS connection (certificate, version)
	FailTimeout         // no answer within the budget
	FailInvalidResponse // an answer that is not what the spec says
)

// errorNames maps the proxy's errorName values to failures. Any other
// errorName, or an error answer without one, is FailInvalidResponse.
var errorNames = map[string]Failure{
	"ValidationException":           FailValidation,
	"InvalidStateException":         FailInvalidState,
	"InvalidCiphertextException":    FailInvalidCiphertext,
	"InvalidKeyUsageException":      FailInvalidKeyUsage,
	"AuthenticationFailedException": FailAuthentication,
	"AccessDeniedException":         FailAccessDenied,
	"KeyNotFoundException":          FailKeyNotFound,
	"InvalidUriPathException":       FailInvalidURIPath,
	"ThrottlingException":           FailThrottling,
	"InternalException":             FailInternal,
	"UnsupportedOperationException": FailUnsupported,
	"DependencyTimeoutException":    FailDependencyTimeout,
}

var failureNames = map[Failure]string{
	FailUnreachable: "unreachable", FailTLS: "tls", FailTimeout: "timeout", FailInvalidResponse: "invalid response",
}

func (f Failure) String() string {
	for name, g := range errorNames {
		if g == f {
			return name
		}
	}
	if s, ok := failureNames[f]; ok {
		return s
	}
	return "unknown"
}

// Error is a failed call. Its text is for logs: it names the API, the
// failure and a detail (the proxy's errorMessage, or the transport error),
// never a secret, a plaintext or a ciphertext.
type Error struct {
	API     string // GetHealthStatus, GetKeyMetadata, Encrypt, Decrypt
	Failure Failure
	Detail  string
}

func (e *Error) Error() string {
	s := "xks proxy " + e.API + ": " + e.Failure.String()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// FailureOf returns the failure of err, and false if err is not an *Error.
func FailureOf(err error) (Failure, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Failure, true
	}
	return 0, false
}

// transportFailure classifies an error of the HTTP round trip: the
// budget running out, the TLS handshake failing, or the connection not
// being made. A cancelled caller is a timeout too: the call did not finish.
func transportFailure(err error) Failure {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		recordHdr tls.RecordHeaderError
		alert     tls.AlertError
		netErr    net.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return FailTimeout
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &recordHdr), errors.As(err, &alert):
		return FailTLS
	case errors.As(err, &netErr) && netErr.Timeout():
		return FailTimeout
	}
	// Refused or failed connections (net.OpError "dial") and anything else.
	return FailUnreachable
}
