package rootkey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// softwareVersion is the first byte of every value sealed by Software, so
// the format can change without ambiguity.
const softwareVersion = 1

// Software is a RootKey held in memory and persisted in a file.
//
// The file holds the 32 raw key bytes and nothing else; it is created with
// mode 0600 and must be protected like the HSM it stands in for.
type Software struct {
	aead cipher.AEAD
	id   string
}

// OpenSoftware loads the root key from path, creating it with a fresh random
// key if the file does not exist. It refuses a file that is readable by
// group or others, or that does not hold exactly 32 bytes.
func OpenSoftware(path string) (*Software, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKeyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("rootkey: %w", err)
	}
	defer clear(key)
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("rootkey: %s is accessible by group or others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	return NewSoftware(key)
}

// NewSoftware returns a Software root key using a copy of key (32 bytes).
func NewSoftware(key []byte) (*Software, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("rootkey: key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	// The ID is a MAC of a fixed label, so it identifies the key without
	// revealing anything that helps recover it.
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("trent root key id"))
	return &Software{aead: aead, id: "soft:" + hex.EncodeToString(mac.Sum(nil)[:8])}, nil
}

func createKeyFile(path string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

// ID implements RootKey.
func (s *Software) ID() string { return s.id }

// Seal implements RootKey: version || nonce || AES-256-GCM(plaintext, aad=context).
func (s *Software) Seal(plaintext []byte, context string) ([]byte, error) {
	ns := s.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+s.aead.Overhead())
	out[0] = softwareVersion
	if _, err := rand.Read(out[1 : 1+ns]); err != nil {
		return nil, err
	}
	return s.aead.Seal(out, out[1:1+ns], plaintext, []byte(context)), nil
}

// Unseal implements RootKey.
func (s *Software) Unseal(sealed []byte, context string) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() || sealed[0] != softwareVersion {
		return nil, ErrUnseal
	}
	pt, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], []byte(context))
	if err != nil {
		return nil, ErrUnseal
	}
	return pt, nil
}
