package pkcs11

import (
	"encoding/hex"
	"encoding/json"
)

// Config says which module and token Open uses and how to log in.
type Config struct {
	// Module is the PKCS#11 library: a path, or a file name the dynamic
	// loader finds. With NSSDB set and Module empty, libsoftokn3.so.
	Module string
	// ModuleFlag is how the caller's user gives Module, for messages that
	// say what to set ("--pkcs11-module" for trent server); "--module"
	// if empty.
	ModuleFlag string
	// NSSDB is an NSS database directory (made with certutil -N -d
	// sql:DIR). Set, the module is initialised with NSS softokn's
	// parameters for that database, and without another selection the
	// "NSS Certificate DB" token is used: the one that keeps token
	// objects ("NSS Generic Crypto Services" holds session objects only).
	NSSDB string
	// Slot selects the token by slot id.
	Slot *uint
	// TokenLabel selects the token by label (CK_TOKEN_INFO.label).
	TokenLabel string
	// URI's token, slot and library attributes select the token too;
	// module-path and module-name give the module. A value given both
	// here and in the URI must agree. Object attributes and the PIN
	// attributes are not used by Open.
	URI *URI
	// PIN is called at most once, when the token needs a login
	// (CKF_LOGIN_REQUIRED), with the chosen token. Nil: no login, so
	// private objects are not visible and token objects may not be
	// creatable.
	PIN func(TokenInfo) (string, error)
	// Notice, if set, receives what Trent does on the caller's behalf
	// that the caller should know about (an attribute changed for a
	// wrap and restored, a mechanism composed inside the token).
	Notice func(string)
}

// Handle is a PKCS#11 object handle. Luna and NSS keep the handles of
// token objects from one session to the next; SoftHSM2 numbers objects
// anew in each session, so scripts should select objects by label or id.
type Handle uint

// Hex is a byte string shown and marshalled as lower-case hex.
type Hex []byte

func (h Hex) String() string { return hex.EncodeToString(h) }

// MarshalJSON writes h as a hex string.
func (h Hex) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }

// UnmarshalJSON reads a hex string.
func (h *Hex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// SlotInfo describes a slot and, when one is present, its token: what
// lunacm's slot list shows.
type SlotInfo struct {
	ID           uint       `json:"slot_id"`
	Description  string     `json:"description"`
	Manufacturer string     `json:"manufacturer"`
	Flags        []string   `json:"flags"`
	Token        *TokenInfo `json:"token,omitempty"`
}

// TokenInfo describes a token (CK_TOKEN_INFO).
type TokenInfo struct {
	Slot         uint     `json:"slot_id"`
	Label        string   `json:"label"`
	Manufacturer string   `json:"manufacturer"`
	Model        string   `json:"model"`
	Serial       string   `json:"serial"`
	Firmware     string   `json:"firmware_version"`
	Hardware     string   `json:"hardware_version"`
	Flags        []string `json:"flags"`
	FlagBits     uint     `json:"flag_bits"`
}

// LoginRequired reports CKF_LOGIN_REQUIRED.
func (t TokenInfo) LoginRequired() bool { return t.FlagBits&ckfLoginRequired != 0 }

// Initialized reports CKF_TOKEN_INITIALIZED.
func (t TokenInfo) Initialized() bool { return t.FlagBits&ckfTokenInitialized != 0 }

// Filter selects objects. Empty fields match everything.
type Filter struct {
	// Class is public-key, private-key, secret-key, certificate or data
	// (RFC 7512's public, private, cert are accepted too).
	Class string
	Label string
	ID    []byte
}

// Object is one line of an object listing: what Luna's cmu list shows.
type Object struct {
	Handle  Handle `json:"handle"`
	Class   string `json:"class"`
	KeyType string `json:"key_type,omitempty"`
	Label   string `json:"label"`
	ID      Hex    `json:"id"`
	// Bits is the key size: the RSA modulus bits or 8×CKA_VALUE_LEN; 0
	// when the token does not say.
	Bits int `json:"size_bits,omitempty"`
}

// Attrs are the common attributes of an object (the set of Luna's cmu
// getattribute). A nil field is an attribute the token does not have for
// the object or will not reveal.
type Attrs struct {
	Handle           Handle  `json:"handle"`
	Class            string  `json:"class"`
	Token            *bool   `json:"token,omitempty"`
	Private          *bool   `json:"private,omitempty"`
	Label            *string `json:"label,omitempty"`
	KeyType          string  `json:"key_type,omitempty"`
	ID               Hex     `json:"id,omitempty"`
	Encrypt          *bool   `json:"encrypt,omitempty"`
	Decrypt          *bool   `json:"decrypt,omitempty"`
	Wrap             *bool   `json:"wrap,omitempty"`
	Unwrap           *bool   `json:"unwrap,omitempty"`
	Sign             *bool   `json:"sign,omitempty"`
	Verify           *bool   `json:"verify,omitempty"`
	Derive           *bool   `json:"derive,omitempty"`
	Sensitive        *bool   `json:"sensitive,omitempty"`
	Extractable      *bool   `json:"extractable,omitempty"`
	AlwaysSensitive  *bool   `json:"always_sensitive,omitempty"`
	NeverExtractable *bool   `json:"never_extractable,omitempty"`
	Modifiable       *bool   `json:"modifiable,omitempty"`
	Local            *bool   `json:"local,omitempty"`
	Modulus          Hex     `json:"modulus,omitempty"`
	ModulusBits      *int    `json:"modulus_bits,omitempty"`
	PublicExponent   Hex     `json:"public_exponent,omitempty"`
	ValueLen         *int    `json:"value_len,omitempty"`
	CheckValue       Hex     `json:"check_value,omitempty"`
}

// BoolAttrs are the boolean attributes SetAttributes can change, by the
// names AttrChanges.Bool uses. Whether the token allows a change is the
// token's decision (see SetAttributes).
var BoolAttrs = []string{"private", "encrypt", "decrypt", "wrap", "unwrap", "sign", "verify",
	"derive", "sensitive", "extractable", "modifiable"}

// AttrChanges are the attribute changes SetAttributes makes.
type AttrChanges struct {
	Label *string
	// Bool maps names from BoolAttrs to the new value.
	Bool map[string]bool
}

// Secret key types GenerateSecretKey makes.
const (
	KeyTypeAES           = "AES"
	KeyTypeGenericSecret = "GENERIC_SECRET"
)

// KeySpec is a secret key to generate, with every attribute the Luna BYOK
// procedure asks for. Start from BYOKKeySpec or HMACKeySpec.
type KeySpec struct {
	Type  string // KeyTypeAES or KeyTypeGenericSecret
	Bytes int    // AES: 16, 24 or 32; generic secret: 1 and up
	Label string
	ID    []byte

	Token, Private, Sensitive, Modifiable, Extractable   bool
	Encrypt, Decrypt, Sign, Verify, Wrap, Unwrap, Derive bool
}

// BYOKKeySpec is an AES-256 key for import into KMS: a token object,
// sensitive (its value is never readable) but extractable (it can be
// wrapped), private, modifiable, for encrypt and decrypt (which also lets
// CheckValue use AES-ECB).
func BYOKKeySpec() KeySpec {
	return KeySpec{Type: KeyTypeAES, Bytes: 32, Token: true, Private: true, Sensitive: true,
		Modifiable: true, Extractable: true, Encrypt: true, Decrypt: true}
}

// HMACKeySpec is a generic secret of n bytes for HMAC, for import into
// KMS: as BYOKKeySpec, for sign and verify.
func HMACKeySpec(n int) KeySpec {
	return KeySpec{Type: KeyTypeGenericSecret, Bytes: n, Token: true, Private: true, Sensitive: true,
		Modifiable: true, Extractable: true, Sign: true, Verify: true}
}

// PublicKeyOptions are the attributes of an imported RSA public key.
type PublicKeyOptions struct {
	Label string
	// ID is CKA_ID; empty: the SHA-1 of the modulus, the convention of
	// NSS and OpenSC, so the same key gets the same id.
	ID []byte
	// Token makes a token object (it outlives the session).
	Token bool
	// Wrap and Encrypt, true for a KMS wrapping key, are what Luna's
	// procedure sets by hand after cmu import.
	Wrap, Encrypt, Verify bool
}

// Wrapping algorithms, as AWS KMS names them.
const (
	RSAESOAEPSHA256     = "RSAES_OAEP_SHA_256"
	RSAESOAEPSHA1       = "RSAES_OAEP_SHA_1"
	RSAAESKeyWrapSHA256 = "RSA_AES_KEY_WRAP_SHA_256"
	RSAAESKeyWrapSHA1   = "RSA_AES_KEY_WRAP_SHA_1"
	RSAESPKCS1v15       = "RSAES_PKCS1_V1_5"
)

// Algorithms lists the wrapping algorithms Wrap takes.
var Algorithms = []string{RSAESOAEPSHA256, RSAESOAEPSHA1, RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1, RSAESPKCS1v15}

// KCV methods.
const (
	// KCVAESECB: the first 3 bytes of AES-ECB of a zero block, computed
	// in the token with C_Encrypt (needs CKA_ENCRYPT).
	KCVAESECB = "AES-ECB"
	// KCVAttribute: the token's CKA_CHECK_VALUE, which PKCS#11 2.40
	// defines for AES exactly as KCVAESECB and for generic secrets as
	// the first 3 bytes of SHA-1 of the value.
	KCVAttribute = "CKA_CHECK_VALUE"
	// KCVAESCMAC: the first 3 bytes of AES-CMAC of a zero block (needs
	// CKA_SIGN); not comparable with an AES-ECB check value.
	KCVAESCMAC = "AES-CMAC"
	// KCVSHA1: the first 3 bytes of SHA-1 of the key value, computed in
	// the token with C_DigestKey (generic secrets).
	KCVSHA1 = "SHA-1"
)

// KCV is a key check value: 3 bytes that identify a key's value without
// revealing it, and how they were computed.
type KCV struct {
	Value  Hex    `json:"kcv"`
	Method string `json:"method"`
}

// Mechanism is one mechanism a token offers (C_GetMechanismInfo).
type Mechanism struct {
	Type       uint     `json:"type"`
	Name       string   `json:"name"`
	MinKeySize uint     `json:"min_key_size"`
	MaxKeySize uint     `json:"max_key_size"`
	Flags      []string `json:"flags"`
}
