package xks

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// tokenOps are the four APIs' work in the token: every cryptographic
// operation runs inside it (AES-GCM with CKM_AES_GCM on pooled sessions);
// the proxy only shapes inputs and outputs.
type tokenOps struct {
	pool *pkcs11.Pool
	// warn logs causes the client is not told (an unreachable token).
	warn func(msg string, args ...any)
}

// keyUsages maps the token key's usage flags to keyUsage values, in the
// order answered.
var keyUsages = []struct {
	name string
	flag func(a *pkcs11.Attrs) *bool
}{
	{"ENCRYPT", func(a *pkcs11.Attrs) *bool { return a.Encrypt }},
	{"DECRYPT", func(a *pkcs11.Attrs) *bool { return a.Decrypt }},
	{"SIGN", func(a *pkcs11.Attrs) *bool { return a.Sign }},
	{"VERIFY", func(a *pkcs11.Attrs) *bool { return a.Verify }},
	{"WRAP", func(a *pkcs11.Attrs) *bool { return a.Wrap }},
	{"UNWRAP", func(a *pkcs11.Attrs) *bool { return a.Unwrap }},
	{"DERIVE", func(a *pkcs11.Attrs) *bool { return a.Derive }},
}

// metadata answers GetKeyMetadata from the token key's attributes:
// keySpec from its type and size, keyUsage from its usage flags, and
// keyStatus DISABLED when it may neither encrypt nor decrypt (which is
// how an operator disables an external key: trent hsm set-attributes).
func (o *tokenOps) metadata(k *extKey) (*metadataOut, error) {
	a, err := o.pool.KeyAttributes(k.token)
	if err != nil {
		return nil, o.tokenError(err, k)
	}
	out := &metadataOut{KeySpec: keySpec(&a), KeyUsage: []string{}, KeyStatus: "ENABLED"}
	for _, u := range keyUsages {
		if f := u.flag(&a); f != nil && *f {
			out.KeyUsage = append(out.KeyUsage, u.name)
		}
	}
	if !isTrue(a.Encrypt) && !isTrue(a.Decrypt) {
		out.KeyStatus = "DISABLED"
	}
	return out, nil
}

// keySpec names the key as KMS does: AES_256 is the only spec KMS accepts
// for an external key; others are answered for the operator to see why.
func keySpec(a *pkcs11.Attrs) string {
	switch {
	case a.KeyType == pkcs11.KeyTypeAES && a.ValueLen != nil:
		return fmt.Sprintf("AES_%d", 8**a.ValueLen)
	case a.KeyType != "":
		return a.KeyType
	}
	return "UNKNOWN"
}

func isTrue(b *bool) bool { return b != nil && *b }

// encrypt encrypts r.Plaintext in the token under the AAD of tokenAAD,
// with a fresh random IV. With a CDIV requested it computes it, then
// decrypts the result in the token and compares (the specification's
// recommended order), so an answer KMS stores is known to decrypt; that
// also makes an encrypt-only key fail with InvalidKeyUsageException.
func (o *tokenOps) encrypt(k *extKey, r *request) (*encryptOut, error) {
	aad, err := tokenAAD(r.AAD, ciphertextMetadata)
	if err != nil {
		return nil, invalid(err.Error())
	}
	iv := make([]byte, pkcs11.GCMIVSize)
	rand.Read(iv)
	usedIV, ct, err := o.pool.EncryptAESGCM(k.token, iv, aad, r.Plaintext)
	if err != nil {
		return nil, o.tokenError(err, k)
	}
	n := len(ct) - pkcs11.GCMTagSize
	out := &encryptOut{Ciphertext: ct[:n], Tag: ct[n:], IV: usedIV, CiphertextMetadata: ciphertextMetadata}
	if r.CDIVAlgorithm == "" {
		return out, nil
	}
	sum := cdiv(r.AAD, ciphertextMetadata, usedIV, out.Ciphertext, out.Tag)
	out.CDIV = sum[:]
	back, err := o.pool.DecryptAESGCM(k.token, usedIV, aad, ct)
	if err != nil {
		if errors.Is(err, pkcs11.ErrDecryptFailed) {
			return nil, fmt.Errorf("the trial decrypt of a fresh ciphertext failed: %w", err)
		}
		return nil, o.tokenError(err, k)
	}
	same := subtle.ConstantTimeCompare(back, r.Plaintext) == 1
	clear(back)
	if !same {
		return nil, errors.New("the trial decrypt of a fresh ciphertext gave other plaintext")
	}
	return out, nil
}

// decrypt decrypts in the token. The caller wipes the plaintext.
func (o *tokenOps) decrypt(k *extKey, r *request) (*decryptOut, error) {
	if len(r.IV) != pkcs11.GCMIVSize {
		return nil, errBadCiphertext // 16-byte IVs are valid in the API, never Trent's
	}
	aad, err := tokenAAD(r.AAD, r.CiphertextMetadata)
	if err != nil {
		return nil, invalid(err.Error())
	}
	ct := make([]byte, 0, len(r.Ciphertext)+len(r.Tag))
	ct = append(append(ct, r.Ciphertext...), r.Tag...)
	pt, err := o.pool.DecryptAESGCM(k.token, r.IV, aad, ct)
	if err != nil {
		return nil, o.tokenError(err, k)
	}
	return &decryptOut{Plaintext: pt}, nil
}

// tokenError maps a token failure to the specification's errors:
//
//   - no such key in the token: KeyNotFoundException;
//   - a tag that does not verify: InvalidCiphertextException;
//   - CKR_KEY_FUNCTION_NOT_PERMITTED: InvalidStateException when the key
//     may neither encrypt nor decrypt (disabled), else
//     InvalidKeyUsageException; a key of the wrong type or size is
//     InvalidKeyUsageException too;
//   - the token gone, unreachable or its sessions lost after the pool's
//     retry: DependencyTimeoutException (503: KMS retries later), the
//     cause logged;
//   - anything else: InternalException, the cause logged by the pipeline.
func (o *tokenOps) tokenError(err error, k *extKey) error {
	switch {
	case errors.Is(err, pkcs11.ErrKeyNotFound):
		return errKeyNotFound
	case errors.Is(err, pkcs11.ErrDecryptFailed):
		return errBadCiphertext
	case pkcs11.IsCode(err, "CKR_KEY_FUNCTION_NOT_PERMITTED"):
		if a, aerr := o.pool.KeyAttributes(k.token); aerr == nil && !isTrue(a.Encrypt) && !isTrue(a.Decrypt) {
			return errDisabled
		}
		return newError(InvalidKeyUsageException, "The external key's usage in the key manager does not allow this operation.")
	case pkcs11.IsCode(err, "CKR_KEY_TYPE_INCONSISTENT"), pkcs11.IsCode(err, "CKR_KEY_SIZE_RANGE"):
		return newError(InvalidKeyUsageException, "The external key is not an AES-256 key.")
	case unreachable(err):
		o.warn("the key manager is unreachable", "err", err)
		return errDependency
	}
	return err
}

// unreachable reports the failures of a token that is gone or not
// answering, after the pool has tried a fresh session once.
func unreachable(err error) bool {
	if errors.Is(err, pkcs11.ErrPoolClosed) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	for _, code := range []string{"CKR_DEVICE_REMOVED", "CKR_TOKEN_NOT_PRESENT", "CKR_DEVICE_ERROR",
		"CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_CLOSED", "CKR_USER_NOT_LOGGED_IN", "CKR_SLOT_ID_INVALID",
		"CKR_TOKEN_NOT_RECOGNIZED", "CKR_FUNCTION_CANCELED", "CKR_DEVICE_MEMORY"} {
		if pkcs11.IsCode(err, code) {
			return true
		}
	}
	return false
}
