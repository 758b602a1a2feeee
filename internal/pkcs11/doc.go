// Package pkcs11 is Trent's access to PKCS#11 tokens (HSMs, SoftHSM2, NSS
// softokn): selecting a token, logging in, listing and reading objects,
// generating secret keys and RSA and EC key pairs, importing an RSA
// wrapping public key, wrapping a key with the algorithms AWS KMS names for
// importing key material, and key check values. It is the one place Trent loads PKCS#11 modules: the layer
// under `trent hsm`, `trent byok` and the HSM root key (package rootkey).
//
// # Sessions for concurrent work
//
// A Token is one session, for administration. A Pool (OpenPool) keeps
// several logged-in sessions on the same loaded module for operations many
// goroutines run at once — AES-GCM encryption and decryption in the token
// (EncryptAESGCM, DecryptAESGCM) for the root key and an XKS proxy — and
// recovers from a token restart: it drops the lost sessions, finds the
// token again, logs in again with the remembered PIN and retries once.
//
// # cgo
//
// The binding, github.com/miekg/pkcs11, needs cgo. Every file that uses it
// is built only with cgo; without cgo (nocgo.go) the same API exists and
// every call that would touch a token returns ErrNoCgo. The parts that are
// pure Go — RFC 7512 URIs, token selection, public key parsing, the error
// table — work in both builds.
//
// # Token selection
//
// A Config names the module (a shared library path, or for NSS softokn its
// database directory) and the token by slot id, token label or an RFC 7512
// pkcs11: URI. With no selection, the one initialised token of the module
// is used; several are an error that lists them.
//
// # Errors
//
// A token's refusal is an *Error naming the PKCS#11 function and return
// code (CKR_…) with advice on what to do. Checks Trent makes before asking
// the token (a wrapping key with CKA_WRAP false, a key that is not
// extractable) are plain errors that say the same.
//
// # What is wrapped
//
// Wrap exports a key the way KMS's ImportKeyMaterial takes it, never in
// the clear outside the token:
//
//   - an AES-256 key (SYMMETRIC_DEFAULT material): its raw bytes, with
//     RSAES_OAEP_SHA_* directly under KMS's wrapping key, or with
//     RSA_AES_KEY_WRAP_SHA_*;
//   - an HMAC generic secret (HMAC_224…512 material): its raw bytes, with
//     RSAES_OAEP_SHA_* (KMS takes HMAC material only so);
//   - an RSA or EC private key: its PKCS#8 PrivateKeyInfo, only with
//     RSA_AES_KEY_WRAP_SHA_* (a PKCS#8 does not fit in one RSA block): a
//     one-time AES key wraps the PKCS#8 with the RFC 5649 key wrap with
//     padding and is itself wrapped with RSA-OAEP, all in the token. The
//     PKCS#8's length is rarely a multiple of 8 and the token never says
//     it, so the padding must be RFC 5649's: NSS softokn's
//     CKM_AES_KEY_WRAP_KWP is; SoftHSM2 2.6's CKM_AES_KEY_WRAP_PAD pads
//     with zeros first, which is wrong for such lengths, so Wrap refuses
//     private keys there (wrap_private.go).
//
// The wrapped bytes differ with every wrap (fresh OAEP seeds and one-time
// AES keys) while the material KMS unwraps is the same, which is why trent
// byok proves an AES import by importing it again rather than comparing
// wrapped blobs, and why trent byok rotate recognises the current material
// only through KMS's refusal to take it as new material.
//
// # What Trent assumes of tokens
//
// Measured behaviour of SoftHSM2 2.6 and NSS softokn 3.87 is in the tests
// and in the README of the reference (pkcs11-tokens.md): SoftHSM2 wraps with
// RSA-OAEP only with SHA-1; NSS does not enforce CKA_EXTRACTABLE, which is
// why Wrap checks it itself; neither offers CKM_RSA_AES_KEY_WRAP, which Wrap
// then builds from CKM_AES_KEY_GEN, an RFC 5649 key wrap mechanism and
// RSA-OAEP, all inside the token.
package pkcs11
