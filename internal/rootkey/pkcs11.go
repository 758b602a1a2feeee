package rootkey

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// The PKCS#11 backend.
//
// The root key is an AES-256 secret key object inside a PKCS#11 token,
// generated there with CKA_SENSITIVE true and CKA_EXTRACTABLE false, so its
// value never exists outside the token (CreatePKCS11Key, or `trent admin
// root-key create`). OpenPKCS11 finds it by label (or CKA_ID) and refuses a
// key that could leave the token.
//
// Seal runs CKM_AES_GCM inside the token with a fresh random 96-bit IV and
// the context as additional authenticated data; the sealed format is
//
//	0x02 || IV (12 bytes) || ciphertext || tag (16 bytes)
//
// where 0x02 marks the HSM format (the software format starts with 0x01),
// so a value sealed by one backend is refused by the other as ErrUnseal
// and CheckKind can say which root key the data needs. Unseal decrypts in
// the token, which checks the tag.
//
// Unsealed values are cached in memory (a bounded LRU with a TTL) so that a
// cold start or several nodes do not put the token on every request's path;
// the kms service caches unsealed key material by material ID on top of it.
//
// Sessions come from a small pool of logged-in sessions (pkcs11.Pool). When the token
// answers that a session or the login is gone (CKR_SESSION_HANDLE_INVALID,
// CKR_SESSION_CLOSED, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT,
// CKR_USER_NOT_LOGGED_IN, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID,
// CKR_DEVICE_ERROR: an HSM restart, a network HSM reconnecting), every
// pooled session is dropped, a new one is opened and logged in again with
// the same PIN, the key is found again, and the operation is retried once.

// DefaultPKCS11KeyLabel is the CKA_LABEL of the root key when none is given.
const DefaultPKCS11KeyLabel = "trent-root-key"

// Defaults of PKCS11Config.
const (
	DefaultPKCS11Sessions  = 4
	DefaultUnsealCacheSize = 10000
	DefaultUnsealCacheTTL  = 5 * time.Minute
)

// hsmVersion is the first byte of every value sealed by HSM.
const hsmVersion = 2

// gcmIVSize and gcmTagSize are the sizes of the HSM format's IV and tag.
const (
	gcmIVSize  = 12
	gcmTagSize = 16
)

// PKCS11Config says which token holds the root key, which key it is, and
// how the HSM root key behaves.
type PKCS11Config struct {
	// Token selects the module and the token and gives the PIN. Its PIN
	// function is called once, when the token needs a login; the PIN is
	// then kept in memory to log in again after the token restarts.
	Token pkcs11.Config
	// KeyLabel is the root key's CKA_LABEL; KeyID its CKA_ID. Either or
	// both select the key; with neither, the label DefaultPKCS11KeyLabel.
	KeyLabel string
	KeyID    []byte
	// Sessions is the number of token sessions kept open (and so the
	// number of operations that may run in the token at once); 0 means
	// DefaultPKCS11Sessions.
	Sessions int
	// CacheSize bounds the number of unsealed values kept in memory; 0
	// means DefaultUnsealCacheSize, a negative value disables the cache.
	CacheSize int
	// CacheTTL is how long an unsealed value stays cached; 0 means
	// DefaultUnsealCacheTTL.
	CacheTTL time.Duration
}

func (c PKCS11Config) withDefaults() PKCS11Config {
	if c.KeyLabel == "" && len(c.KeyID) == 0 {
		c.KeyLabel = DefaultPKCS11KeyLabel
	}
	if c.Sessions <= 0 {
		c.Sessions = DefaultPKCS11Sessions
	}
	if c.CacheSize == 0 {
		c.CacheSize = DefaultUnsealCacheSize
	}
	if c.CacheTTL <= 0 {
		c.CacheTTL = DefaultUnsealCacheTTL
	}
	return c
}

// describeKey names the key the config selects, for messages.
func (c PKCS11Config) describeKey() string {
	switch {
	case c.KeyLabel != "" && len(c.KeyID) > 0:
		return fmt.Sprintf("label %q and id %x", c.KeyLabel, c.KeyID)
	case len(c.KeyID) > 0:
		return fmt.Sprintf("id %x", c.KeyID)
	}
	return fmt.Sprintf("label %q", c.KeyLabel)
}

// ParsePKCS11URI reads a --root-key value: an RFC 7512 pkcs11: URI naming
// the token (token=, serial=, slot-id=, …), optionally the module
// (module-path=, module-name=) and the key (object= for its label, id=
// for its CKA_ID; type=, if present, must be secret-key). The PIN must not
// be in it (pin-value is refused); pin-source is left to the caller's PIN
// function. The returned config has Token.URI set and the key selection
// filled in; the caller adds Module (--pkcs11-module) and PIN.
func ParsePKCS11URI(s string) (PKCS11Config, error) {
	u, err := pkcs11.ParseURI(s)
	if err != nil {
		return PKCS11Config{}, err
	}
	if u.PINValue != "" {
		return PKCS11Config{}, errors.New("the root key's pkcs11: URI holds a pin-value: give the PIN with TRENT_PKCS11_PIN or a PIN file, never on the command line")
	}
	if u.Type != "" && u.Type != "secret-key" {
		return PKCS11Config{}, fmt.Errorf("the root key's pkcs11: URI has type=%s: the root key is a secret-key", u.Type)
	}
	return PKCS11Config{Token: pkcs11.Config{URI: u}, KeyLabel: u.Object, KeyID: u.ID}, nil
}

// KeyURI returns a pkcs11: URI that selects the key by token label and
// object label (or, without a label, by id): the value for --root-key.
func KeyURI(tokenLabel, keyLabel string, keyID []byte) string {
	u := &pkcs11.URI{Token: tokenLabel, Object: keyLabel, Type: "secret-key"}
	if keyLabel == "" {
		u.ID = keyID
	}
	return u.String()
}

// pkcs11ID is the ID of an HSM root key: "pkcs11:" and its CKA_ID in hex,
// which names it without revealing anything about its value and survives
// the key being cloned to another HSM of a cluster. A key without a CKA_ID
// is named by its label.
func pkcs11ID(label string, id []byte) string {
	if len(id) > 0 {
		return "pkcs11:" + hex.EncodeToString(id)
	}
	return "pkcs11:label=" + url.PathEscape(label)
}

// PKCS11KeyInfo describes an HSM root key.
type PKCS11KeyInfo struct {
	// ID is the root key's ID (what RootKey.ID returns).
	ID string `json:"root_key_id"`
	// URI selects the key: the value for --root-key.
	URI   string           `json:"uri"`
	Label string           `json:"label"`
	KeyID pkcs11.Hex       `json:"id"`
	Token pkcs11.TokenInfo `json:"token"`
	Attrs pkcs11.Attrs     `json:"attributes"`
	KCV   *pkcs11.KCV      `json:"kcv,omitempty"`
}

// checkRootKeyAttrs says why a key cannot be the root key, if it cannot.
func checkRootKeyAttrs(a pkcs11.Attrs) error {
	var problems []string
	if a.KeyType != "AES" {
		problems = append(problems, fmt.Sprintf("it is a %s key, not AES", a.KeyType))
	}
	if a.ValueLen != nil && *a.ValueLen != 32 {
		problems = append(problems, fmt.Sprintf("it is %d bytes long, not 32 (AES-256)", *a.ValueLen))
	}
	if a.Token == nil || !*a.Token {
		problems = append(problems, "it is a session object (CKA_TOKEN false) that disappears with the session")
	}
	if a.Sensitive == nil || !*a.Sensitive {
		problems = append(problems, "it is not sensitive (CKA_SENSITIVE false): its value can be read out of the token")
	}
	if a.Extractable == nil || *a.Extractable {
		problems = append(problems, "it is extractable (CKA_EXTRACTABLE true): it can be wrapped out of the token, so the data would not be bound to the HSM (setting it false now would not undo copies already made)")
	}
	if a.Encrypt == nil || !*a.Encrypt || a.Decrypt == nil || !*a.Decrypt {
		problems = append(problems, "it may not encrypt and decrypt (CKA_ENCRYPT, CKA_DECRYPT)")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s; generate a root key with `trent admin root-key create`", strings.Join(problems, "; "))
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
