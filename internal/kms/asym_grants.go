package kms

import (
	"slices"

	"github.com/trent-kms/trent/internal/store"
)

// Grant operations a key accepts depend on its type (asymmetric.md §9,
// hmac.md §7): a grant may allow only operations the key can perform, plus
// the three that every key has. AWS answers ValidationException for any
// other; its message is UNDOCUMENTED, so the wording here is Trent's.
var (
	grantOpsEveryKey = []string{"CreateGrant", "RetireGrant", "DescribeKey"}
	grantOpsByUsage  = map[string][]string{
		UsageSignVerify:        {"Sign", "Verify", "GetPublicKey"},
		UsageGenerateVerifyMAC: {"GenerateMac", "VerifyMac"},
		UsageKeyAgreement:      {"DeriveSharedSecret", "GetPublicKey"},
	}
	grantOpsSymmetric = []string{"Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
		"GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"}
	grantOpsRSAEncryption = []string{"Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"}
)

// checkGrantForKeyType refuses a grant whose operations key k cannot
// perform, and encryption-context constraints on a key other than a
// symmetric encryption key (CreateGrant's Constraints documentation).
func checkGrantForKeyType(k *store.Key, in GrantInput) error {
	allowed := grantOpsByUsage[k.KeyUsage]
	if k.KeyUsage == UsageEncryptDecrypt {
		allowed = grantOpsRSAEncryption
		if k.KeySpec == SpecSymmetricDefault {
			allowed = grantOpsSymmetric
		}
	}
	for _, op := range in.Operations {
		if !slices.Contains(allowed, op) && !slices.Contains(grantOpsEveryKey, op) {
			return newError(ErrValidation, "Grant operation %s is not valid for a KMS key with KeySpec %s and KeyUsage %s", op, k.KeySpec, k.KeyUsage)
		}
	}
	if k.KeySpec != SpecSymmetricDefault && (in.Equals != nil || in.Subset != nil) {
		return newError(ErrValidation, "Grant constraints are not supported for KMS keys with KeySpec %s", k.KeySpec)
	}
	return nil
}
