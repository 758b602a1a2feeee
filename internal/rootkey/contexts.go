// The seal contexts: the one place that says which context each sealed
// value of Trent is bound to.
//
// A context is passed to Seal and Unseal and becomes AES-GCM additional
// data: a value unseals only with the context it was sealed with, so a
// sealed value copied into another record (another key, another access
// key) does not open there. The strings are part of the data at rest:
// changing one makes every value sealed with it unreadable. contexts_test.go
// pins each of them.

package rootkey

// Service secrets: 32-byte secrets of the kms service, one per store,
// kept in the store's meta table under these names and sealed with the
// name itself as context.
const (
	// MaterialIDSecret derives key material IDs (kms/secrets.go); it is
	// also what CheckKind unseals to learn whether a root key opens a store.
	MaterialIDSecret = "material-id-key"
	// ImportTokenSecret authenticates GetParametersForImport's import
	// tokens (kms/import.go).
	ImportTokenSecret = "import-token-key"
)

// ServiceSecrets returns the meta entries that hold a value sealed under
// the root key with their own name as context, in the order a migration
// re-seals them (MaterialIDSecret first: CheckKind probes it).
func ServiceSecrets() []string { return []string{MaterialIDSecret, ImportTokenSecret} }

// Contexts of values sealed only to be unsealed at once, never stored.
const (
	// ReadinessProbeContext seals the readiness probe's random value
	// (server /readyz): it shows the root key works.
	ReadinessProbeContext = "readiness-probe"
	// RootKeyCheckContext seals `trent admin root-key show`'s test value.
	RootKeyCheckContext = "root-key-check"
	// openCheckContext seals nothing when OpenPKCS11 checks that the token
	// can encrypt with the key.
	openCheckContext = "rootkey-open-check"
)

// MaterialContext binds a key material (store.Material.Sealed) to its key
// and material ID.
func MaterialContext(keyID, materialID string) string {
	return "key-material/" + keyID + "/" + materialID
}

// ImportParamsContext binds the private key of an import parameter set
// (store.ImportParams.SealedPrivateKey, PKCS#8) to its key and parameter
// set.
func ImportParamsContext(keyID, paramsID string) string {
	return "import-params/" + keyID + "/" + paramsID
}

// AccessKeySecretContext binds an access key's secret
// (store.Credential.SealedSecret) to its access key ID.
func AccessKeySecretContext(accessKeyID string) string {
	return "access-key-secret/" + accessKeyID
}

// XksProxySecretContext binds the secret access key of an external key
// store's proxy credential (store.CustomKeyStore.SealedXksProxySecret) to
// its custom key store ID.
func XksProxySecretContext(customKeyStoreID string) string {
	return "xks-proxy-secret/" + customKeyStoreID
}
