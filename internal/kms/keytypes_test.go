package kms_test

import (
	"slices"
	"testing"

	"github.com/trent-kms/trent/internal/kms"
)

// TestCreateKeyAppliesKeyTypeTable checks CreateKey's usage rules as the
// reference gives them (asymmetric.md §2, hmac.md §2), in AWS's order:
// usage required, then compatible, then SM2 (China Regions only).
func TestCreateKeyAppliesKeyTypeTable(t *testing.T) {
	svc, _ := newService(t)
	tests := []struct {
		spec, usage string
		kind        error
		msg         string
	}{
		{"RSA_2048", "", kms.ErrValidation, "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		{"HMAC_256", "", kms.ErrValidation, "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		{"RSA_2048", "KEY_AGREEMENT", kms.ErrValidation, "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"},
		{"ECC_SECG_P256K1", "KEY_AGREEMENT", kms.ErrValidation, "KeyUsage KEY_AGREEMENT is not compatible with KeySpec ECC_SECG_P256K1"},
		{"ML_DSA_44", "ENCRYPT_DECRYPT", kms.ErrValidation, "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ML_DSA_44"},
		{"SYMMETRIC_DEFAULT", "SIGN_VERIFY", kms.ErrValidation, "KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT"},
		{"SM2", "SIGN_VERIFY", kms.ErrUnsupported, "KeySpec SM2 is not supported in this Region"},
		{"ML_DSA_65", "SIGN_VERIFY", nil, ""},
		{"HMAC_256", "GENERATE_VERIFY_MAC", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.spec+"/"+tt.usage, func(t *testing.T) {
			k, err := svc.CreateKey(sysCtx(), kms.CreateKeyInput{KeySpec: tt.spec, KeyUsage: tt.usage})
			if tt.kind == nil {
				if err != nil || k.KeySpec != tt.spec || len(k.Materials) != 1 {
					t.Fatalf("CreateKey = %+v, %v", k, err)
				}
				return
			}
			wantKind(t, err, tt.kind, tt.msg)
		})
	}
}

func TestKeyTypeTable(t *testing.T) {
	tests := []struct {
		spec, usage string
		want        kms.Algorithms
	}{
		{"SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", kms.Algorithms{Encryption: []string{"SYMMETRIC_DEFAULT"}}},
		{"RSA_3072", "ENCRYPT_DECRYPT", kms.Algorithms{Encryption: []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}}},
		{"ECC_NIST_P384", "SIGN_VERIFY", kms.Algorithms{Signing: []string{"ECDSA_SHA_384"}}},
		{"ECC_NIST_P521", "KEY_AGREEMENT", kms.Algorithms{KeyAgreement: []string{"ECDH"}}},
		{"ECC_NIST_EDWARDS25519", "SIGN_VERIFY", kms.Algorithms{Signing: []string{"ED25519_SHA_512", "ED25519_PH_SHA_512"}}},
		{"HMAC_384", "GENERATE_VERIFY_MAC", kms.Algorithms{MAC: []string{"HMAC_SHA_384"}}},
		{"HMAC_384", "SIGN_VERIFY", kms.Algorithms{}},
	}
	for _, tt := range tests {
		t.Run(tt.spec+"/"+tt.usage, func(t *testing.T) {
			got := kms.AlgorithmsOf(tt.spec, tt.usage)
			if !slices.Equal(got.Encryption, tt.want.Encryption) || !slices.Equal(got.Signing, tt.want.Signing) ||
				!slices.Equal(got.MAC, tt.want.MAC) || !slices.Equal(got.KeyAgreement, tt.want.KeyAgreement) {
				t.Errorf("AlgorithmsOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDataKeyBytes(t *testing.T) {
	n := int32(64)
	tests := []struct {
		spec  string
		bytes *int32
		want  int
		ok    bool
	}{
		{"AES_256", nil, 32, true},
		{"AES_128", nil, 16, true},
		{"", &n, 64, true},
		{"AES_256", &n, 0, false},
		{"", nil, 0, false},
	}
	for _, tt := range tests {
		got, err := kms.DataKeyBytes(tt.spec, tt.bytes)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("DataKeyBytes(%q, %v) = %d, %v", tt.spec, tt.bytes, got, err)
		}
	}
}
