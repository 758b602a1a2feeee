package pkcs11

import (
	"errors"
	"fmt"
)

// ErrNoCgo is what every token operation returns in a build without cgo.
var ErrNoCgo = errors.New("trent was built without cgo; PKCS#11 needs cgo: rebuild with CGO_ENABLED=1 (and a C compiler)")

// Error is a PKCS#11 function's failure: the function, its return code and
// what to do about it.
type Error struct {
	Func   string // "C_WrapKey"
	Code   uint   // CK_RV
	Name   string // "CKR_KEY_UNEXTRACTABLE"
	Advice string // what it means here and what to do
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s (0x%X)", e.Func, e.Name, e.Code)
	if e.Advice != "" {
		s += ": " + e.Advice
	}
	return s
}

// IsCode reports whether err is, or wraps, an *Error with the return code
// of that name ("CKR_PIN_INCORRECT").
func IsCode(err error, name string) bool {
	var e *Error
	return errors.As(err, &e) && e.Name == name
}

type rvInfo struct {
	name, advice string
}

// returnCodes names the CK_RV values and says, for those a user meets,
// what they mean and what to do. Call sites that know more give their own
// advice (newError's advice argument).
var returnCodes = map[uint]rvInfo{
	0x000: {"CKR_OK", ""},
	0x001: {"CKR_CANCEL", "the operation was cancelled"},
	0x002: {"CKR_HOST_MEMORY", "the module ran out of memory on this host"},
	0x003: {"CKR_SLOT_ID_INVALID", "no such slot: list slots with `trent hsm slots`"},
	0x005: {"CKR_GENERAL_ERROR", "the token failed in a way it does not explain; check its logs and state"},
	0x006: {"CKR_FUNCTION_FAILED", "the token could not carry out the request; check its logs"},
	0x007: {"CKR_ARGUMENTS_BAD", "the token rejected the call's arguments"},
	0x00A: {"CKR_CANT_LOCK", "the module cannot do the locking Trent asks for"},
	0x010: {"CKR_ATTRIBUTE_READ_ONLY", "the token does not let this attribute change (PKCS#11: extractable only goes from true to false, sensitive only from false to true, nothing changes on a modifiable=false object; tokens may refuse more)"},
	0x011: {"CKR_ATTRIBUTE_SENSITIVE", "the attribute is sensitive and cannot be read"},
	0x012: {"CKR_ATTRIBUTE_TYPE_INVALID", "the token does not know this attribute for this object"},
	0x013: {"CKR_ATTRIBUTE_VALUE_INVALID", "the token refused an attribute value"},
	0x01A: {"CKR_COPY_PROHIBITED", "the object cannot be copied (CKA_COPYABLE false)"},
	0x01B: {"CKR_ACTION_PROHIBITED", "the token's policy forbids this action (e.g. changing an object with modifiable=false)"},
	0x020: {"CKR_DATA_INVALID", "the token refused the input data"},
	0x021: {"CKR_DATA_LEN_RANGE", "the input is too long or too short for the mechanism"},
	0x030: {"CKR_DEVICE_ERROR", "the device reported an error; check the HSM and its connection"},
	0x031: {"CKR_DEVICE_MEMORY", "the token is out of memory (too many objects?)"},
	0x032: {"CKR_DEVICE_REMOVED", "the token was removed or the connection to the HSM was lost"},
	0x050: {"CKR_FUNCTION_CANCELED", "the function was cancelled"},
	0x054: {"CKR_FUNCTION_NOT_SUPPORTED", "the module does not implement this function"},
	0x060: {"CKR_KEY_HANDLE_INVALID", "no key with this handle: list objects with `trent hsm objects` (some tokens number objects differently in each session; select by label or id)"},
	0x062: {"CKR_KEY_SIZE_RANGE", "the key size is outside what the mechanism supports on this token (see `trent hsm mechanisms`)"},
	0x063: {"CKR_KEY_TYPE_INCONSISTENT", "the key's type does not fit the mechanism (NSS also answers this when the wrapping key has wrap=false)"},
	0x066: {"CKR_KEY_NEEDED", "the token needs a key it does not have"},
	0x068: {"CKR_KEY_FUNCTION_NOT_PERMITTED", "the key's attributes forbid this use (e.g. wrap=false on the wrapping key, encrypt=false for a check value): set the attribute with `trent hsm set-attrs`"},
	0x069: {"CKR_KEY_NOT_WRAPPABLE", "the token cannot wrap this key with this mechanism"},
	0x06A: {"CKR_KEY_UNEXTRACTABLE", "the key was generated with extractable=false and can never leave the token; generate a new one with `trent hsm keygen --extractable`"},
	0x070: {"CKR_MECHANISM_INVALID", "the token does not offer this mechanism (list them with `trent hsm mechanisms`)"},
	0x071: {"CKR_MECHANISM_PARAM_INVALID", "the token rejected the mechanism's parameters"},
	0x082: {"CKR_OBJECT_HANDLE_INVALID", "no object with this handle: list objects with `trent hsm objects` (some tokens number objects differently in each session; select by label or id)"},
	0x090: {"CKR_OPERATION_ACTIVE", "another operation is active in this session"},
	0x091: {"CKR_OPERATION_NOT_INITIALIZED", "no operation of this kind was started"},
	0x0A0: {"CKR_PIN_INCORRECT", "the PIN is wrong; tokens lock the user PIN after a few failures (the flags USER_PIN_COUNT_LOW, USER_PIN_FINAL_TRY, USER_PIN_LOCKED in `trent hsm slots` tell how close it is)"},
	0x0A1: {"CKR_PIN_INVALID", "the PIN has characters the token does not accept"},
	0x0A2: {"CKR_PIN_LEN_RANGE", "the PIN is too long or too short for this token"},
	0x0A3: {"CKR_PIN_EXPIRED", "the PIN has expired: change it with the token's own tools"},
	0x0A4: {"CKR_PIN_LOCKED", "the user PIN is locked after too many failures: the Security Officer must unlock or reset it"},
	0x0B0: {"CKR_SESSION_CLOSED", "the session was closed"},
	0x0B1: {"CKR_SESSION_COUNT", "the token has no free sessions"},
	0x0B3: {"CKR_SESSION_HANDLE_INVALID", "the session is no longer valid"},
	0x0B4: {"CKR_SESSION_PARALLEL_NOT_SUPPORTED", "the token does not support parallel sessions"},
	0x0B5: {"CKR_SESSION_READ_ONLY", "the session is read-only"},
	0x0B7: {"CKR_SESSION_READ_ONLY_EXISTS", "a read-only session exists, so the Security Officer cannot log in"},
	0x0B8: {"CKR_SESSION_READ_WRITE_SO_EXISTS", "a Security Officer session exists, so a read-only session cannot be opened"},
	0x0C0: {"CKR_SIGNATURE_INVALID", "the signature does not verify"},
	0x0C1: {"CKR_SIGNATURE_LEN_RANGE", "the signature has the wrong length"},
	0x0D0: {"CKR_TEMPLATE_INCOMPLETE", "the token needs attributes that were not given"},
	0x0D1: {"CKR_TEMPLATE_INCONSISTENT", "the token refuses this combination of attributes"},
	0x0E0: {"CKR_TOKEN_NOT_PRESENT", "no token is present in the slot"},
	0x0E1: {"CKR_TOKEN_NOT_RECOGNIZED", "the module does not recognise the token in the slot"},
	0x0E2: {"CKR_TOKEN_WRITE_PROTECTED", "the token is read-only: no token objects can be created here (NSS's \"NSS Generic Crypto Services\" holds only session objects: use the \"NSS Certificate DB\" token, or a session object)"},
	0x0F0: {"CKR_UNWRAPPING_KEY_HANDLE_INVALID", "no unwrapping key with this handle"},
	0x0F1: {"CKR_UNWRAPPING_KEY_SIZE_RANGE", "the unwrapping key's size is not supported"},
	0x0F2: {"CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT", "the unwrapping key's type does not fit the mechanism"},
	0x100: {"CKR_USER_ALREADY_LOGGED_IN", "the user is already logged in"},
	0x101: {"CKR_USER_NOT_LOGGED_IN", "this needs a login: give the PIN (--pin-file, TRENT_PKCS11_PIN, or at the prompt)"},
	0x102: {"CKR_USER_PIN_NOT_INITIALIZED", "the token's user PIN was never set: initialise it (e.g. softhsm2-util --init-token, or the HSM's tools)"},
	0x103: {"CKR_USER_TYPE_INVALID", "the token does not know this user type"},
	0x104: {"CKR_USER_ANOTHER_ALREADY_LOGGED_IN", "another user (the Security Officer?) is logged in to this token"},
	0x105: {"CKR_USER_TOO_MANY_TYPES", "too many users are logged in to this token"},
	0x110: {"CKR_WRAPPED_KEY_INVALID", "the wrapped key is not valid"},
	0x112: {"CKR_WRAPPED_KEY_LEN_RANGE", "the wrapped key has the wrong length"},
	0x113: {"CKR_WRAPPING_KEY_HANDLE_INVALID", "no wrapping key with this handle: list objects with `trent hsm objects`"},
	0x114: {"CKR_WRAPPING_KEY_SIZE_RANGE", "the token cannot wrap with a key of this size"},
	0x115: {"CKR_WRAPPING_KEY_TYPE_INCONSISTENT", "the wrapping key's type does not fit the mechanism (it must be an RSA public key)"},
	0x120: {"CKR_RANDOM_SEED_NOT_SUPPORTED", "the token does not take a random seed"},
	0x121: {"CKR_RANDOM_NO_RNG", "the token has no random number generator"},
	0x130: {"CKR_DOMAIN_PARAMS_INVALID", "invalid domain parameters"},
	0x150: {"CKR_BUFFER_TOO_SMALL", "the output buffer was too small"},
	0x160: {"CKR_SAVED_STATE_INVALID", "the saved state is not valid"},
	0x170: {"CKR_INFORMATION_SENSITIVE", "the information is sensitive"},
	0x180: {"CKR_STATE_UNSAVEABLE", "the state cannot be saved"},
	0x190: {"CKR_CRYPTOKI_NOT_INITIALIZED", "the module is not initialised"},
	0x191: {"CKR_CRYPTOKI_ALREADY_INITIALIZED", "the module is already initialised in this process"},
	0x1A0: {"CKR_MUTEX_BAD", "the module reported a bad mutex"},
	0x1A1: {"CKR_MUTEX_NOT_LOCKED", "the module reported a mutex that is not locked"},
	0x140: {"CKR_CURVE_NOT_SUPPORTED", "the token does not support this curve"},
	0x1B7: {"CKR_LIBRARY_LOAD_FAILED", "the module could not load a library it needs"},
	0x1B8: {"CKR_PIN_TOO_WEAK", "the PIN is too weak for the token's policy"},
	0x1B9: {"CKR_PUBLIC_KEY_INVALID", "the token rejected the public key"},
	0x200: {"CKR_FUNCTION_REJECTED", "the token rejected the request (policy)"},
}

// rvName returns the CKR_* name of a return code.
func rvName(code uint) string {
	if i, ok := returnCodes[code]; ok {
		return i.name
	}
	if code >= 0x80000000 {
		return fmt.Sprintf("CKR_VENDOR_DEFINED+0x%X", code-0x80000000)
	}
	return fmt.Sprintf("CKR_0x%X", code)
}

// newError makes the *Error of fn's return code; advice, if not empty,
// replaces the table's.
func newError(fn string, code uint, advice string) *Error {
	e := &Error{Func: fn, Code: code, Name: rvName(code), Advice: advice}
	if e.Advice == "" {
		e.Advice = returnCodes[code].advice
	}
	if e.Advice == "" && code >= 0x80000000 {
		e.Advice = "a vendor-defined error: see the HSM vendor's documentation for this code"
	}
	return e
}
