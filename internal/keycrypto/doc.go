// Package keycrypto holds the cryptography of every AWS KMS key type other
// than SYMMETRIC_DEFAULT, as pure functions over key material: no HTTP, no
// store, no key state. The core calls it with a key's spec and its
// material and maps the *Error values it returns (AWS exception name and
// message) to its own errors.
//
// # Key specs and material
//
// RSA_2048/3072/4096, ECC_NIST_P256/P384/P521, ECC_SECG_P256K1,
// ECC_NIST_EDWARDS25519 and ML_DSA_44/65/87 keys are stored as PKCS#8 DER
// (EC keys as OpenSSL writes them: RFC 5915 with the uncompressed public
// point; ML-DSA keys in the seed-only form of RFC 9881). HMAC_224..512
// keys are raw bytes. Generate makes material, PublicKey returns the
// SubjectPublicKeyInfo GetPublicKey shows, GenerateDataKeyPair makes the
// pairs of GenerateDataKeyPair, and ParseImported checks imported material
// against its spec. SM2 (China Regions only) is refused as AWS refuses it
// elsewhere.
//
// # Operations
//
// Sign and Verify implement every signing algorithm of the model with AWS's
// MessageType rules (RAW, DIGEST, EXTERNAL_MU) and messages; Encrypt and
// Decrypt are RSAES-OAEP with SHA-1 or SHA-256; DeriveSharedSecret is ECDH
// on the NIST curves; GenerateMac and VerifyMac are RFC 2104 HMAC. Verify
// and Encrypt take the public key (SubjectPublicKeyInfo), the others the
// private material. Secrets are compared in constant time; buffers this
// package owns are zeroed after use where Go allows it (big.Int-based RSA
// keys and library-internal state cannot be).
//
// # Errors
//
// A failure caused by the request is an *Error whose Exception is AWS's
// name (ValidationException, InvalidKeyUsageException,
// KMSInvalidSignatureException, ...) and whose Message is AWS's text, or
// empty where AWS sends none. Checks run in AWS's order: member lengths and
// enums, then algorithm against key spec, then message type and digest
// length. Any other error is internal (corrupt stored material, a spec the
// caller should not have passed).
//
// # Third-party modules
//
// The standard library does everything it has an algorithm for. Two
// algorithms it lacks come from modules:
//
//   - github.com/decred/dcrd/dcrec/secp256k1/v4 for ECC_SECG_P256K1: a
//     small, audited, constant-time secp256k1 used by dcrd and btcd. Its
//     ECDSA signatures are RFC 6979 deterministic and low-S normalized
//     (valid ECDSA everywhere; AWS does not document normalization).
//   - filippo.io/mldsa for ML-DSA (FIPS 204): the standard library's own
//     ML-DSA (crypto/internal/fips140/mldsa, public as crypto/mldsa from Go
//     1.27) published as a module, with PKCS#8/PKIX encoding. Unlike
//     github.com/cloudflare/circl it signs from an external μ, which
//     EXTERNAL_MU needs. It does not verify from μ, so mldsamu.go does
//     that (FIPS 204 Algorithm 8 on public data only). circl is used by
//     the tests only, as an independent ML-DSA verifier.
package keycrypto
