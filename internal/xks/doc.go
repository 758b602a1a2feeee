// Package xks is Trent's AWS KMS external key store (XKS) proxy: the
// server of the XKS proxy API (specification v1.0.3) in front of the
// AES-256 keys of any PKCS#11 token. `trent xks serve` runs it.
//
// # API
//
// Every request is a POST with a JSON body to
// <uriPrefix>/kms/xks/v1/keys/<externalKeyId>/{metadata,encrypt,decrypt} or
// <uriPrefix>/kms/xks/v1/health. Each uriPrefix is a logical key store with
// its own credentials, keys and health key; one proxy serves several. Any
// other method gets 405 (with Allow: POST), any other path
// InvalidUriPathException. Errors are the specification's JSON,
// {"errorName", "errorMessage"}, with its HTTP statuses (errors.go).
//
// Requests run through the front door's pipeline (package frontdoor): the
// body limit (64 KiB), the API named from the path, the audit trail's
// health, SigV4, then Call: decode, find the key, secondary authorization,
// the token. Every request is audited (record.go) and logged with its
// kmsRequestId, outcome and latency; plaintext never is, and plaintext
// buffers (the request body, decoded plaintext, trial-decrypt output, the
// decrypt answer) are wiped once used.
//
// # Authentication
//
// SigV4 with service kms-xks-proxy and the region of the request's own
// credential scope (KMS signs with its region; sigv4.Verifier.AnyRegion),
// against the credentials of the store the path names and no other; every
// header SignedHeaders lists is bound, the body's hash is computed, and the
// clock must be within 5 minutes. Failures are
// AuthenticationFailedException (401). Credentials, keys, rules and health
// keys are re-read from the configuration file without a restart (SIGHUP
// or a new modification time, polled every few seconds) and swapped in
// atomically; a file that does not load is logged and changes nothing.
// TLS is mandatory; with mTLS configured the handshake requires a client
// certificate chaining to the configured CA with the configured subject
// CN. Go's crypto/tls then ends a refused handshake with a bad_certificate
// (or certificate_required) alert, not handshake_failure: the AWS test
// client's two mTLS negative tests, which look for the literal
// "TLS alert, handshake failure", see a different alert.
//
// # Keys and cryptography
//
// An externalKeyId maps to a token secret key by label and/or CKA_ID.
// GetKeyMetadata reports keySpec from CKA_KEY_TYPE and CKA_VALUE_LEN
// (AES_256), keyUsage from CKA_ENCRYPT, DECRYPT, SIGN, VERIFY, WRAP, UNWRAP
// and DERIVE, and keyStatus DISABLED when the key may neither encrypt nor
// decrypt (so `trent hsm` attribute changes disable a key). Encrypt and
// decrypt are AES-GCM inside the token (CKM_AES_GCM, 12-byte random IV,
// 16-byte tag) over the AAD the specification recommends,
// uint16_be(len(aad)) || aad || uint8(len(md)) || md, where md is the
// ciphertextMetadata Trent returns: one version byte, 0x01 (aad.go). With a
// CDIV requested, Encrypt computes it, then decrypts the new ciphertext in
// the token and compares, before answering. Any token with CKM_AES_GCM
// serves (checked at start, Pool.CheckAESGCM); SoftHSM2 and NSS softokn (an
// nssdb alone in the configuration) are tested. Package pkcs11 calls
// C_Encrypt and C_Decrypt once with a buffer sized for GCM, because NSS
// answers the output-length question without room for the tag.
//
// Token failures map as follows: no such key in the token →
// KeyNotFoundException (a key id not in the configuration too); a tag that
// does not verify (or a 16-byte IV, never Trent's) →
// InvalidCiphertextException with one vague message; an operation the
// key's flags forbid → InvalidKeyUsageException, or InvalidStateException
// when the key is disabled; the token unreachable (device removed, token
// not present, sessions or login lost even after the pool's fresh session)
// → DependencyTimeoutException (503, so KMS retries), its cause logged;
// anything else → InternalException, its cause logged.
//
// # Health
//
// GetHealthStatus runs a deep check: it encrypts and decrypts a fixed
// block with the store's healthKey in the token. A success is reused for
// up to a minute, a failure for at most 5 s. The answer names one proxy
// (vendor Trent) and the token as the fleet's one key manager (ekmVendor
// its manufacturer, id its serial, model its model), ACTIVE or UNAVAILABLE;
// it is answered with 200 either way. GetHealthStatus is not subject to
// secondary authorization, but does require requestMetadata
// (ValidationException otherwise, as the AWS test client expects).
// Load balancers get GET /healthz, unauthenticated and not audited: 200
// when every store's deep check is ACTIVE, else 503. GET /metrics,
// unauthenticated too, exposes the requests the pipeline counted for the
// four APIs (package metrics' series, as `trent server` has them).
//
// # Secondary authorization
//
// A key may list allow rules {principal, operations}: a request is served
// only if a rule names its awsPrincipalArn (or "*") and its kmsOperation
// (or "*"); otherwise AccessDeniedException, logged. Keys without rules
// serve every authenticated request. Unknown kmsOperation values and
// unknown JSON members are accepted, as the specification requires.
package xks
