// Package byok holds the cryptography of importing key material ("bring
// your own key") exactly as AWS KMS defines it: wrapping algorithms and
// their combinations, the RSA wrapping key pool, the import token, and the
// unwrapping of the material a client sends.
//
// # Wrapping algorithms
//
// RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256 encrypt the material directly
// with RSA-OAEP (MGF1 with the same hash, empty label). RSA_AES_KEY_WRAP_SHA_1
// and RSA_AES_KEY_WRAP_SHA_256 send RSA-OAEP(ephemeral AES key) followed by
// the AES key wrap with padding of RFC 5649 under that key, the layout of
// PKCS#11 CKM_RSA_AES_KEY_WRAP. RSAES_PKCS1_V1_5 is refused unless a server
// enables it for legacy HSM firmware (see Unwrap for how it is kept free of
// padding oracles).
//
// # Import tokens
//
// A token is opaque to clients and authenticated by the server with
// HMAC-SHA256 under a service secret. It binds the key, the import
// parameter set (and so the wrapping key pair), the algorithms and the
// expiry; see token.go for the layout.
//
// # Why RFC 5649 is written here
//
// The Go standard library has no AES key wrap, and no small, well-kept
// module offers the padded variant; kwp.go implements it in about a hundred
// lines and is tested against the RFC's own vectors (testdata/).
package byok
