//go:build cgo

// Classifying the token's PKCS#11 errors: a refused sealed value, a lost
// session.

package rootkey

import (
	"errors"
	"fmt"

	mp "github.com/miekg/pkcs11"
)

// tokenErr is a PKCS#11 function's failure.
type tokenErr struct {
	fn   string
	code uint
	err  error
}

func (e *tokenErr) Error() string { return fmt.Sprintf("rootkey: HSM: %s: %v", e.fn, e.err) }
func (e *tokenErr) Unwrap() error { return e.err }

func tokenError(fn string, err error) error {
	var rv mp.Error
	if errors.As(err, &rv) {
		return &tokenErr{fn: fn, code: uint(rv), err: err}
	}
	return fmt.Errorf("rootkey: HSM: %s: %w", fn, err)
}

func codeOf(err error) (uint, bool) {
	var e *tokenErr
	if errors.As(err, &e) {
		return e.code, true
	}
	return 0, false
}

// ckrAEADDecryptFailed is PKCS#11 3.0's CKR_AEAD_DECRYPT_FAILED.
const ckrAEADDecryptFailed = 0x35

// isDataError reports a token's refusal of the sealed value itself in
// C_Decrypt: the tag does not verify (wrong key, wrong context, tampering).
// Tokens differ in the code they give: PKCS#11 says
// CKR_ENCRYPTED_DATA_INVALID, SoftHSM2 2.6 answers CKR_GENERAL_ERROR.
func isDataError(err error) bool {
	var e *tokenErr
	if !errors.As(err, &e) || e.fn != "C_Decrypt" {
		return false
	}
	switch e.code {
	case mp.CKR_ENCRYPTED_DATA_INVALID, mp.CKR_ENCRYPTED_DATA_LEN_RANGE, mp.CKR_DATA_INVALID,
		mp.CKR_DATA_LEN_RANGE, mp.CKR_SIGNATURE_INVALID, mp.CKR_FUNCTION_FAILED, mp.CKR_GENERAL_ERROR,
		ckrAEADDecryptFailed:
		return true
	}
	return false
}

// isSessionLost reports the codes after which a fresh session (and login)
// may succeed: the token restarted, was reconnected, or forgot the login.
func isSessionLost(err error) bool {
	code, ok := codeOf(err)
	if !ok {
		return false
	}
	switch code {
	case mp.CKR_SESSION_HANDLE_INVALID, mp.CKR_SESSION_CLOSED, mp.CKR_DEVICE_REMOVED,
		mp.CKR_TOKEN_NOT_PRESENT, mp.CKR_USER_NOT_LOGGED_IN, mp.CKR_KEY_HANDLE_INVALID,
		mp.CKR_OBJECT_HANDLE_INVALID, mp.CKR_DEVICE_ERROR, mp.CKR_TOKEN_NOT_RECOGNIZED, mp.CKR_SLOT_ID_INVALID:
		return true
	}
	return false
}

func isRV(err error, rv uint) bool {
	var e mp.Error
	return errors.As(err, &e) && uint(e) == rv
}
