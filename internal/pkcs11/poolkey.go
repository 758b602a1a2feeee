package pkcs11

import (
	"encoding/hex"
	"errors"
	"fmt"
)

// PoolKey selects the secret key a Pool operation uses: by CKA_LABEL, by
// CKA_ID, or both (at least one must be set). Each pooled session finds
// it once (handles may differ between sessions, and change after a token
// restart) and keeps the handle.
type PoolKey struct {
	Label string
	ID    []byte
	// Protected requires the key to be sensitive and never extractable
	// (CKA_SENSITIVE true, CKA_EXTRACTABLE false), so that a key that was
	// replaced by one that could leave the token is not used.
	Protected bool
}

func (k PoolKey) String() string {
	switch {
	case k.Label != "" && len(k.ID) > 0:
		return fmt.Sprintf("label %q and id %x", k.Label, k.ID)
	case len(k.ID) > 0:
		return fmt.Sprintf("id %x", k.ID)
	}
	return fmt.Sprintf("label %q", k.Label)
}

// cacheKey names k in a session's handle cache.
func (k PoolKey) cacheKey() string {
	return fmt.Sprintf("%t\x00%s\x00%s", k.Protected, hex.EncodeToString(k.ID), k.Label)
}

// ErrDecryptFailed is wrapped by DecryptAESGCM's error when the token
// refuses the ciphertext itself: the tag does not verify (wrong key, wrong
// additional data, tampering). Tokens differ in the code they give
// (PKCS#11 says CKR_ENCRYPTED_DATA_INVALID, SoftHSM2 2.6 answers
// CKR_GENERAL_ERROR, PKCS#11 3.0 CKR_AEAD_DECRYPT_FAILED); the *Error with
// the code is wrapped too.
var ErrDecryptFailed = errors.New("pkcs11: the token refused the ciphertext")

// ErrKeyNotFound is wrapped by a Pool operation's error when no secret key
// matches its PoolKey (the key was deleted, or its attributes changed).
var ErrKeyNotFound = errors.New("pkcs11: key not found")

// ErrPoolClosed is returned by a Pool's operations after Close.
var ErrPoolClosed = errors.New("pkcs11: the session pool is closed")

// GCM sizes the pool's AES-GCM operations use: a 96-bit IV and a 128-bit
// tag, appended to the ciphertext as PKCS#11 does.
const (
	GCMIVSize  = 12
	GCMTagSize = 16
)
