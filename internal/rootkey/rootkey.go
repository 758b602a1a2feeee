// Package rootkey is Trent's root of trust: the key under which every secret
// the service stores (key material, access-key secrets, wrapping private keys)
// is sealed before it reaches a Store.
//
// # Backends
//
// [Software] keeps a 256-bit AES key in a file (mode 0600) created on first
// start. [HSM] keeps it in a PKCS#11 token as a non-extractable AES-256 key
// ([OpenPKCS11], [CreatePKCS11Key]): sealing and unsealing run in the token,
// the key never leaves it, and unsealed values are cached in memory for a
// bounded time (pkcs11.go). [Open] opens either from a server's --root-key.
//
// The two seal in distinct formats (first byte 1: software, 2: HSM), so a
// value of one is refused by the other, and the store records which root
// key its data is sealed under (meta "root-key-kind"): [CheckKind] refuses
// to start a server with the wrong one and says which it needs. Package
// migrate moves a store from one root key to the other.
//
// # Sealing
//
// Seal binds each sealed value to a context string (for example
// "key-material/<key-id>/<material-id>"), passed as AES-GCM additional data,
// so a sealed value copied into another record does not unseal there. Every
// context Trent uses is defined in contexts.go, and only there.
//
// # Fencing
//
// [Fence] wraps a node's store so that it refuses writes once the data is
// being migrated, or has been migrated, to another root key: nodes sharing
// a PostgreSQL store cannot seal new secrets under a retired key.
package rootkey

import "errors"

// ErrUnseal is returned by Unseal for any sealed value that does not
// authenticate: wrong root key, wrong context or tampering. It says nothing
// more on purpose.
var ErrUnseal = errors.New("rootkey: sealed value does not authenticate")

// RootKey seals and unseals secrets. Implementations are safe for
// concurrent use.
type RootKey interface {
	// Seal encrypts and authenticates plaintext, bound to context.
	Seal(plaintext []byte, context string) ([]byte, error)
	// Unseal reverses Seal. It returns ErrUnseal if sealed was not made by
	// Seal with this root key and the same context.
	Unseal(sealed []byte, context string) ([]byte, error)
	// ID names the root key in a way that reveals nothing about it; stored
	// next to sealed values so a mismatch is reported clearly.
	ID() string
}
