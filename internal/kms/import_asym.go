package kms

import (
	"strconv"
	"strings"

	"github.com/trent-kms/trent/internal/keycrypto"
	"github.com/trent-kms/trent/internal/store"
)

// Import of asymmetric and HMAC key material (import.md §1, §5). These keys
// have exactly one material forever: the first import associates it, and
// every later import must bring the same key again (reimport after deletion
// or expiry, or to change the expiry).

// importableSpec reports whether a key of spec may have origin EXTERNAL:
// every spec Trent serves but ML-DSA, which AWS does not import ("You
// can't import key material for ML-DSA KMS keys").
func importableSpec(spec string) bool {
	return !strings.HasPrefix(spec, "ML_DSA_")
}

// checkSymmetricOnlyOptions refuses the ImportKeyMaterial parameters that
// AWS defines for symmetric encryption keys only. For ImportType AWS says
// it "will reject ImportKeyMaterial API requests with the ImportType
// parameter" on asymmetric and HMAC keys without naming the error; Trent
// answers UnsupportedOperationException, and does the same for
// KeyMaterialId and KeyMaterialDescription, which are documented as
// symmetric-only in the same way.
func checkSymmetricOnlyOptions(k *store.Key, opt ImportOptions) error {
	if k.KeySpec == SpecSymmetricDefault {
		return nil
	}
	var name string
	switch {
	case opt.ImportType != "":
		name = "ImportType"
	case opt.MaterialID != "":
		name = "KeyMaterialId"
	case opt.Description != "":
		name = "KeyMaterialDescription"
	default:
		return nil
	}
	return newError(ErrUnsupported, "The %s parameter is valid only for symmetric encryption KMS keys, not for %s of key spec %s.", name, keyKind(k), k.KeySpec)
}

// keyKind names the kind of key k is, for messages.
func keyKind(k *store.Key) string {
	if k.KeyUsage == UsageGenerateVerifyMAC {
		return "HMAC KMS keys"
	}
	return "asymmetric KMS keys"
}

// importedForm checks unwrapped material against k's key spec and returns
// what Trent seals for it, and for asymmetric keys the SubjectPublicKeyInfo
// kept beside it. Symmetric material must be 32 bytes; HMAC material is
// the raw key, from the spec's hash length to 1024 bits; asymmetric
// material is a PKCS#8 private key of the spec, which keycrypto re-encodes
// in the canonical form Generate makes, so that the KeyMaterialId, and so
// the reimport check, depends on the key and not on its encoding. Wrong
// material is IncorrectKeyMaterialException. The caller clears stored.
func importedForm(k *store.Key, material []byte) (stored, pub []byte, err error) {
	if k.KeySpec == SpecSymmetricDefault {
		if len(material) != 32 {
			return nil, nil, newError(ErrIncorrectKeyMaterial, "The key material for a SYMMETRIC_DEFAULT KMS key must be 32 bytes (256 bits).")
		}
		return append([]byte(nil), material...), nil, nil
	}
	stored, err = keycrypto.ParseImported(k.KeySpec, material)
	if err != nil {
		return nil, nil, fromKeycrypto(err)
	}
	if !asymmetric(k) {
		return stored, nil, nil
	}
	if pub, err = keycrypto.PublicKey(k.KeySpec, stored); err != nil {
		clear(stored)
		return nil, nil, fromKeycrypto(err)
	}
	return stored, pub, nil
}

// pkcs1Length is the material length an RSAES_PKCS1_V1_5 unwrap expects
// (that unwrap must know it in advance to run in constant time): 32 bytes
// for symmetric keys, the hash length for HMAC keys (HMAC_256: 32). The
// legacy algorithm is offered, when an operator enables it, only for
// these secret keys.
func pkcs1Length(spec string) int {
	if bits, ok := strings.CutPrefix(spec, "HMAC_"); ok {
		if n, err := strconv.Atoi(bits); err == nil {
			return n / 8
		}
	}
	return 32
}
