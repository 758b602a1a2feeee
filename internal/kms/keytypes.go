package kms

// The key usages of the model.
const (
	UsageSignVerify        = "SIGN_VERIFY"
	UsageGenerateVerifyMAC = "GENERATE_VERIFY_MAC"
	UsageKeyAgreement      = "KEY_AGREEMENT"
)

// Algorithms are the algorithms a key offers, as DescribeKey lists them
// (in AWS's order).
type Algorithms struct {
	Encryption   []string
	Signing      []string
	MAC          []string
	KeyAgreement []string
}

// KeyType is what keys of one KeySpec are: the usages they may have, the
// algorithms each usage offers, and whether this server serves them yet.
// Handlers hold no algorithm literals: what a key allows is read here.
type KeyType struct {
	Spec string
	// Usages maps each KeyUsage the spec allows to the algorithms a key of
	// that usage offers.
	Usages map[string]Algorithms
	// DefaultUsage is the usage CreateKey takes when none is given; ""
	// means KeyUsage is required (every spec but SYMMETRIC_DEFAULT).
	DefaultUsage string
	// Served is false for specs of the model that Trent does not create
	// yet: CreateKey answers UnsupportedOperationException for them.
	Served bool
}

var (
	rsaUsages = map[string]Algorithms{
		UsageEncryptDecrypt: {Encryption: []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}},
		UsageSignVerify: {Signing: []string{
			"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
			"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"}},
	}
	ecdh = []string{"ECDH"}
)

func nistCurve(signing string) map[string]Algorithms {
	return map[string]Algorithms{
		UsageSignVerify:   {Signing: []string{signing}},
		UsageKeyAgreement: {KeyAgreement: ecdh},
	}
}

func signOnly(algs ...string) map[string]Algorithms {
	return map[string]Algorithms{UsageSignVerify: {Signing: algs}}
}

func mac(alg string) map[string]Algorithms {
	return map[string]Algorithms{UsageGenerateVerifyMAC: {MAC: []string{alg}}}
}

// keyTypes is the table of every KeySpec of the model (asymmetric.md §1,
// hmac.md §1 of the reference). SM2 is for China Regions only: AWS refuses
// it elsewhere, as Trent does (it is not served).
var keyTypes = map[string]*KeyType{
	SpecSymmetricDefault: {Spec: SpecSymmetricDefault, DefaultUsage: UsageEncryptDecrypt, Served: true,
		Usages: map[string]Algorithms{UsageEncryptDecrypt: {Encryption: []string{AlgSymmetricDefault}}}},
	"RSA_2048":              {Spec: "RSA_2048", Usages: rsaUsages, Served: true},
	"RSA_3072":              {Spec: "RSA_3072", Usages: rsaUsages, Served: true},
	"RSA_4096":              {Spec: "RSA_4096", Usages: rsaUsages, Served: true},
	"ECC_NIST_P256":         {Spec: "ECC_NIST_P256", Usages: nistCurve("ECDSA_SHA_256"), Served: true},
	"ECC_NIST_P384":         {Spec: "ECC_NIST_P384", Usages: nistCurve("ECDSA_SHA_384"), Served: true},
	"ECC_NIST_P521":         {Spec: "ECC_NIST_P521", Usages: nistCurve("ECDSA_SHA_512"), Served: true},
	"ECC_SECG_P256K1":       {Spec: "ECC_SECG_P256K1", Usages: signOnly("ECDSA_SHA_256"), Served: true},
	"ECC_NIST_EDWARDS25519": {Spec: "ECC_NIST_EDWARDS25519", Usages: signOnly("ED25519_SHA_512", "ED25519_PH_SHA_512"), Served: true},
	"ML_DSA_44":             {Spec: "ML_DSA_44", Usages: signOnly("ML_DSA_SHAKE_256"), Served: true},
	"ML_DSA_65":             {Spec: "ML_DSA_65", Usages: signOnly("ML_DSA_SHAKE_256"), Served: true},
	"ML_DSA_87":             {Spec: "ML_DSA_87", Usages: signOnly("ML_DSA_SHAKE_256"), Served: true},
	"HMAC_224":              {Spec: "HMAC_224", Usages: mac("HMAC_SHA_224"), Served: true},
	"HMAC_256":              {Spec: "HMAC_256", Usages: mac("HMAC_SHA_256"), Served: true},
	"HMAC_384":              {Spec: "HMAC_384", Usages: mac("HMAC_SHA_384"), Served: true},
	"HMAC_512":              {Spec: "HMAC_512", Usages: mac("HMAC_SHA_512"), Served: true},
	"SM2": {Spec: "SM2", Usages: map[string]Algorithms{
		UsageEncryptDecrypt: {Encryption: []string{"SM2PKE"}},
		UsageSignVerify:     {Signing: []string{"SM2DSA"}},
		UsageKeyAgreement:   {KeyAgreement: ecdh},
	}},
}

// KeyTypeOf returns the key type of spec, or nil for a spec the model does
// not have.
func KeyTypeOf(spec string) *KeyType { return keyTypes[spec] }

// AlgorithmsOf returns the algorithms key spec and usage offer (empty for
// a pair the table does not allow).
func AlgorithmsOf(spec, usage string) Algorithms {
	if kt := keyTypes[spec]; kt != nil {
		return kt.Usages[usage]
	}
	return Algorithms{}
}

// Data key specs of GenerateDataKey, by their length in bytes.
var dataKeySpecs = map[string]int{"AES_256": 32, "AES_128": 16}

// DataKeyBytes applies GenerateDataKey's rule: exactly one of KeySpec and
// NumberOfBytes, and returns the data key's length.
func DataKeyBytes(spec string, numberOfBytes *int32) (int, error) {
	n, known := dataKeySpecs[spec]
	switch {
	case spec != "" && numberOfBytes != nil, spec == "" && numberOfBytes == nil:
		return 0, newError(ErrValidation, "Please specify either number of bytes or key spec.")
	case numberOfBytes != nil:
		return int(*numberOfBytes), nil
	case !known:
		// The model's enum has only these; a new one is not served yet.
		return 0, newError(ErrValidation, "Please specify either number of bytes or key spec.")
	}
	return n, nil
}
