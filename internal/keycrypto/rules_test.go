package keycrypto

import (
	"bytes"
	"testing"
)

// Every AWS rule of asymmetric.md §5.1 and §5.4 that this package applies,
// for Sign and Verify alike.
func TestSignRules(t *testing.T) {
	const tooLong = "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096"
	const empty = "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1"
	tests := []struct {
		name, spec, alg, mt string
		msg                 []byte
		exception, message  string
	}{
		{"RAW over 4096 bytes", "RSA_2048", "RSASSA_PSS_SHA_256", "RAW", make([]byte, 4097), ExcValidation, tooLong},
		{"EXTERNAL_MU over 4096 bytes", "ML_DSA_44", "ML_DSA_SHAKE_256", "EXTERNAL_MU", make([]byte, 4097), ExcValidation, tooLong},
		{"empty message", "ECC_NIST_P256", "ECDSA_SHA_256", "RAW", nil, ExcValidation, empty},
		{"unknown message type", "ECC_NIST_P256", "ECDSA_SHA_256", "HASH", []byte("m"), ExcValidation,
			"1 validation error detected: Value 'HASH' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]"},
		{"unknown algorithm", "ECC_NIST_P256", "ECDSA_SHA_1", "RAW", []byte("m"), ExcValidation,
			"1 validation error detected: Value 'ECDSA_SHA_1' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [" + sigAlgSet + "]"},
		{"ECDSA_SHA_384 on P-256", "ECC_NIST_P256", "ECDSA_SHA_384", "RAW", []byte("m"), ExcInvalidKeyUsage,
			"Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256."},
		{"PSS on ECC", "ECC_SECG_P256K1", "RSASSA_PSS_SHA_256", "RAW", []byte("m"), ExcInvalidKeyUsage,
			"Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_SECG_P256K1."},
		{"SM2DSA on RSA", "RSA_3072", "SM2DSA", "RAW", []byte("m"), ExcInvalidKeyUsage,
			"Algorithm SM2DSA is incompatible with key spec RSA_3072."},
		{"ECDSA on Ed25519", "ECC_NIST_EDWARDS25519", "ECDSA_SHA_256", "RAW", []byte("m"), ExcInvalidKeyUsage,
			"Algorithm ECDSA_SHA_256 is incompatible with key spec ECC_NIST_EDWARDS25519."},
		{"signing with an HMAC key", "HMAC_256", "ECDSA_SHA_256", "RAW", []byte("m"), ExcInvalidKeyUsage,
			"Algorithm ECDSA_SHA_256 is incompatible with key spec HMAC_256."},
		{"short digest PSS", "RSA_2048", "RSASSA_PSS_SHA_256", "DIGEST", make([]byte, 31), ExcValidation,
			"Digest is invalid length for algorithm RSASSA_PSS_SHA_256."},
		{"SHA-256 digest for SHA-384", "RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384", "DIGEST", make([]byte, 32), ExcValidation,
			"Digest is invalid length for algorithm RSASSA_PKCS1_V1_5_SHA_384."},
		{"long digest ECDSA", "ECC_NIST_P521", "ECDSA_SHA_512", "DIGEST", make([]byte, 65), ExcValidation,
			"Digest is invalid length for algorithm ECDSA_SHA_512."},
		{"EXTERNAL_MU on RSA", "RSA_2048", "RSASSA_PSS_SHA_512", "EXTERNAL_MU", make([]byte, 64), ExcValidation,
			"Message type EXTERNAL_MU is incompatible with key spec RSA_2048."},
		{"EXTERNAL_MU on ECDSA", "ECC_NIST_P384", "ECDSA_SHA_384", "EXTERNAL_MU", make([]byte, 64), ExcValidation,
			"Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_P384."},
		{"DIGEST with pure Ed25519", "ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "DIGEST", make([]byte, 64), ExcValidation,
			"Message type DIGEST is incompatible with key spec ECC_NIST_EDWARDS25519."},
		{"EXTERNAL_MU with Ed25519", "ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "EXTERNAL_MU", make([]byte, 64), ExcValidation,
			"Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_EDWARDS25519."},
		{"RAW with Ed25519ph", "ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "RAW", []byte("m"), ExcValidation,
			"Message type RAW is incompatible with signing algorithm ED25519_PH_SHA_512."},
		{"short digest Ed25519ph", "ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "DIGEST", make([]byte, 32), ExcValidation,
			"Digest is invalid length for algorithm ED25519_PH_SHA_512."},
		{"EXTERNAL_MU with Ed25519ph", "ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "EXTERNAL_MU", make([]byte, 64), ExcValidation,
			"Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_EDWARDS25519."},
		{"DIGEST on ML-DSA", "ML_DSA_44", "ML_DSA_SHAKE_256", "DIGEST", make([]byte, 64), ExcValidation,
			"Message type DIGEST is incompatible with key spec ML_DSA_44."},
		{"short μ", "ML_DSA_65", "ML_DSA_SHAKE_256", "EXTERNAL_MU", make([]byte, 32), ExcValidation,
			"Digest is invalid length for algorithm ML_DSA_SHAKE_256."},
		{"RSA on ML-DSA", "ML_DSA_87", "RSASSA_PSS_SHA_256", "RAW", []byte("m"), ExcInvalidKeyUsage,
			"Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ML_DSA_87."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			priv, pub := keyOf(t, tc.spec)
			_, err := Sign(tc.spec, tc.alg, tc.mt, priv, tc.msg)
			wantException(t, err, tc.exception, tc.message)
			wantException(t, Verify(tc.spec, tc.alg, tc.mt, pub, tc.msg, []byte{1}), tc.exception, tc.message)
		})
	}
}

// The boundaries themselves are accepted: 4096-byte RAW, exact digests,
// 64-byte μ, and "" as RAW.
func TestSignBoundaries(t *testing.T) {
	tests := []struct {
		spec, alg, mt string
		msg           []byte
	}{
		{"RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "RAW", bytes.Repeat([]byte{7}, 4096)},
		{"RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "", []byte{1}},
		{"ECC_NIST_P384", "ECDSA_SHA_384", "DIGEST", make([]byte, 48)},
		{"ML_DSA_44", "ML_DSA_SHAKE_256", "EXTERNAL_MU", make([]byte, 64)},
		{"ML_DSA_44", "ML_DSA_SHAKE_256", "RAW", bytes.Repeat([]byte{7}, 4096)},
	}
	for _, tc := range tests {
		t.Run(tc.spec+"/"+tc.alg+"/"+tc.mt, func(t *testing.T) {
			priv, pub := keyOf(t, tc.spec)
			sig, err := Sign(tc.spec, tc.alg, tc.mt, priv, tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := Verify(tc.spec, tc.alg, tc.mt, pub, tc.msg, sig); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestVerifySignatureLength(t *testing.T) {
	_, pub := keyOf(t, "ECC_NIST_P256")
	wantException(t, Verify("ECC_NIST_P256", "ECDSA_SHA_256", "RAW", pub, []byte("m"), nil), ExcValidation,
		"1 validation error detected: Value at 'signature' failed to satisfy constraint: Member must have length greater than or equal to 1")
	wantException(t, Verify("ECC_NIST_P256", "ECDSA_SHA_256", "RAW", pub, []byte("m"), make([]byte, 6145)), ExcValidation,
		"1 validation error detected: Value at 'signature' failed to satisfy constraint: Member must have length less than or equal to 6144")
}

func TestSM2Refused(t *testing.T) {
	_, err := Generate("SM2")
	wantException(t, err, ExcUnsupported, "KeySpec SM2 is not supported in this Region")
	_, _, err = GenerateDataKeyPair("SM2")
	wantException(t, err, ExcUnsupported, "KeySpec SM2 is not supported in this Region")
}
