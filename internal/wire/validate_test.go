package wire

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// one prefixes a single violation with Coral's header.
func one(v string) string { return "1 validation error detected: " + v }

// b64 returns the base64 of n bytes, for blob members.
func b64(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }

const keyID = "1234abcd-12ab-34cd-56ef-1234567890ab"

var (
	long129  = strings.Repeat("k", 129)
	long257  = strings.Repeat("a", 257)
	long2049 = strings.Repeat("x", 2049)
	echo256  = strings.Repeat("x", 256) + "..." // long2049 as echoed
	twoK     = strings.Repeat("é", 2048)        // 2048 code points, 4096 bytes
	wrapAlgs = "[RSAES_PKCS1_V1_5, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, SM2PKE]"
)

type validateCase struct {
	name string
	op   string
	body string
	want string // "" means valid
}

var validateCases = []validateCase{
	// CreateKey: no required members; enums, patterns, nested list elements.
	{"CreateKey/empty", "CreateKey", `{}`, ""},
	{"CreateKey/full", "CreateKey", `{"Description":"","KeyUsage":"ENCRYPT_DECRYPT","KeySpec":"SYMMETRIC_DEFAULT","Origin":"AWS_KMS",
		"Policy":"{\"Version\":\"2012-10-17\"}\n","MultiRegion":false,"Tags":[{"TagKey":"k","TagValue":""}],"XksKeyId":"a-b_c.d"}`, ""},
	{"CreateKey/enum", "CreateKey", `{"KeyUsage":"ENCRYPT"}`,
		one("Value 'ENCRYPT' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT]")},
	{"CreateKey/policy pattern", "CreateKey", `{"Policy":"{\"Sid\":\"it’s\"}"}`,
		one(`Value '{"Sid":"it’s"}' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)},
	{"CreateKey/description capped", "CreateKey", `{"Description":"` + strings.Repeat("x", 8193) + `"}`,
		one("Value '" + echo256 + "' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")},
	{"CreateKey/tag elements", "CreateKey", `{"Tags":[{"TagValue":"v"},{"TagKey":"` + long129 + `","TagValue":"` + long257 + `"}]}`,
		"3 validation errors detected: Value null at 'tags.1.member.tagKey' failed to satisfy constraint: Member must not be null; " +
			"Value '" + long129 + "' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128; " +
			"Value '" + long257[:256] + "...' at 'tags.2.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256"},

	// Encrypt: required string and blob, sensitive blob, list of strings.
	{"Encrypt/valid", "Encrypt", `{"KeyId":"` + keyID + `","Plaintext":"SGVsbG8=","EncryptionContext":{"a":"b"},"GrantTokens":["t"]}`, ""},
	{"Encrypt/keyId counts code points", "Encrypt", `{"KeyId":"` + twoK + `","Plaintext":"AA=="}`, ""},
	{"Encrypt/null", "Encrypt", `{}`,
		"2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'plaintext' failed to satisfy constraint: Member must not be null"},
	{"Encrypt/empty plaintext", "Encrypt", `{"KeyId":"k","Plaintext":""}`,
		one("Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")},
	{"Encrypt/plaintext too long", "Encrypt", `{"KeyId":"k","Plaintext":"` + b64(4097) + `"}`,
		one("Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")},
	{"Encrypt/keyId too long", "Encrypt", `{"KeyId":"` + long2049 + `","Plaintext":"AA=="}`,
		one("Value '" + echo256 + "' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048")},
	{"Encrypt/grant tokens", "Encrypt", `{"KeyId":"k","Plaintext":"AA==","GrantTokens":["a","b","c","d","e","f","g","h","i","j",""]}`,
		"2 validation errors detected: Value '[a, b, c, d, e, f, g, h, i, j, ]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10; " +
			"Value '' at 'grantTokens.11.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	{"Encrypt/algorithm enum", "Encrypt", `{"KeyId":"k","Plaintext":"AA==","EncryptionAlgorithm":"AES"}`,
		one("Value 'AES' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]")},

	// Decrypt: nothing required; blob limits, enum list elements, nested structure.
	{"Decrypt/empty", "Decrypt", `{}`, ""},
	{"Decrypt/ciphertext too long", "Decrypt", `{"CiphertextBlob":"` + b64(6145) + `"}`,
		one("Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to 6144")},
	{"Decrypt/dry run modifiers", "Decrypt", `{"CiphertextBlob":"AA==","DryRun":true,"DryRunModifiers":["IGNORE_CIPHERTEXT","IGNORE"]}`,
		one("Value 'IGNORE' at 'dryRunModifiers.2.member' failed to satisfy constraint: Member must satisfy enum value set: [IGNORE_CIPHERTEXT]")},
	{"Decrypt/recipient", "Decrypt", `{"CiphertextBlob":"AA==","Recipient":{"KeyEncryptionAlgorithm":"RSA","AttestationDocument":""}}`,
		"2 validation errors detected: Value 'RSA' at 'recipient.keyEncryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSAES_OAEP_SHA_256]; " +
			"Value at 'recipient.attestationDocument' failed to satisfy constraint: Member must have length greater than or equal to 1"},

	// GenerateDataKey: integer range.
	{"GenerateDataKey/valid", "GenerateDataKey", `{"KeyId":"alias/app","KeySpec":"AES_256"}`, ""},
	{"GenerateDataKey/null and range", "GenerateDataKey", `{"NumberOfBytes":5000}`,
		"2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
			"Value '5000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"},
	{"GenerateDataKey/zero bytes", "GenerateDataKey", `{"KeyId":"k","NumberOfBytes":0}`,
		one("Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")},
	{"GenerateDataKey/key spec", "GenerateDataKey", `{"KeyId":"k","KeySpec":"AES_512"}`,
		one("Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]")},

	// ScheduleKeyDeletion: the model range is 1..365 (KMS enforces 7..30 in code, not here).
	{"ScheduleKeyDeletion/valid", "ScheduleKeyDeletion", `{"KeyId":"k","PendingWindowInDays":7}`, ""},
	{"ScheduleKeyDeletion/too long", "ScheduleKeyDeletion", `{"KeyId":"k","PendingWindowInDays":366}`,
		one("Value '366' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365")},
	{"ScheduleKeyDeletion/negative", "ScheduleKeyDeletion", `{"KeyId":"k","PendingWindowInDays":-1}`,
		one("Value '-1' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1")},

	// CreateAlias: pattern, several violations of one member, member order.
	{"CreateAlias/valid", "CreateAlias", `{"AliasName":"alias/ExampleAlias","TargetKeyId":"` + keyID + `"}`, ""},
	{"CreateAlias/pattern", "CreateAlias", `{"AliasName":"alias/my key","TargetKeyId":"k"}`,
		one("Value 'alias/my key' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")},
	{"CreateAlias/length and pattern", "CreateAlias", `{"AliasName":"` + long257[:256] + ` "}`,
		"3 validation errors detected: Value '" + long257[:256] + "...' at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256; " +
			"Value '" + long257[:256] + "...' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$; " +
			"Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null"},

	// TagResource: required list, empty list, element members.
	{"TagResource/valid", "TagResource", `{"KeyId":"k","Tags":[{"TagKey":"Purpose","TagValue":"Test"},{"TagKey":"Empty","TagValue":""}]}`, ""},
	{"TagResource/empty list", "TagResource", `{"KeyId":"k","Tags":[]}`, ""},
	{"TagResource/null tags", "TagResource", `{"KeyId":"k"}`,
		one("Value null at 'tags' failed to satisfy constraint: Member must not be null")},
	{"TagResource/empty tag key", "TagResource", `{"KeyId":"k","Tags":[{"TagKey":"a","TagValue":"b"},{"TagKey":"","TagValue":"b"}]}`,
		one("Value null at 'tags.2.member.tagKey' failed to satisfy constraint: Member must not be null")},

	// ListKeys: optional integer and pattern.
	{"ListKeys/empty", "ListKeys", `{}`, ""},
	{"ListKeys/valid", "ListKeys", `{"Limit":1000,"Marker":"eyJ2IjoxfQ=="}`, ""},
	{"ListKeys/limit and marker", "ListKeys", `{"Limit":1001,"Marker":"next\u0100"}`,
		"2 validation errors detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000; " +
			"Value 'nextĀ' at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*"},

	// ImportKeyMaterial: required blobs, fixed-length id, Java \s in a pattern.
	{"ImportKeyMaterial/valid", "ImportKeyMaterial", `{"KeyId":"k","ImportToken":"AQID","EncryptedKeyMaterial":"AQID","ExpirationModel":"KEY_MATERIAL_EXPIRES",
		"ValidTo":1.480632737044E9,"ImportType":"NEW_KEY_MATERIAL","KeyMaterialDescription":"first\tbatch 2024","KeyMaterialId":"` + strings.Repeat("0a", 32) + `"}`, ""},
	{"ImportKeyMaterial/null", "ImportKeyMaterial", `{}`,
		"3 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'importToken' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'encryptedKeyMaterial' failed to satisfy constraint: Member must not be null"},
	{"ImportKeyMaterial/id and description", "ImportKeyMaterial", `{"KeyId":"k","ImportToken":"AQ==","EncryptedKeyMaterial":"AQ==","ExpirationModel":"NEVER","KeyMaterialDescription":"bad!","KeyMaterialId":"ABC"}`,
		"4 validation errors detected: Value 'NEVER' at 'expirationModel' failed to satisfy constraint: Member must satisfy enum value set: [KEY_MATERIAL_EXPIRES, KEY_MATERIAL_DOES_NOT_EXPIRE]; " +
			"Value 'bad!' at 'keyMaterialDescription' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_\\s.-]+$; " +
			"Value 'ABC' at 'keyMaterialId' failed to satisfy constraint: Member must have length greater than or equal to 64; " +
			"Value 'ABC' at 'keyMaterialId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-f0-9]+$"},

	// GetParametersForImport: required enums.
	{"GetParametersForImport/valid", "GetParametersForImport", `{"KeyId":"k","WrappingAlgorithm":"RSAES_OAEP_SHA_256","WrappingKeySpec":"RSA_4096"}`, ""},
	{"GetParametersForImport/null", "GetParametersForImport", `{"KeyId":"k"}`,
		"2 validation errors detected: Value null at 'wrappingAlgorithm' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'wrappingKeySpec' failed to satisfy constraint: Member must not be null"},
	{"GetParametersForImport/enums", "GetParametersForImport", `{"KeyId":"k","WrappingAlgorithm":"RSA","WrappingKeySpec":"RSA_1024"}`,
		"2 validation errors detected: Value 'RSA' at 'wrappingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: " + wrapAlgs + "; " +
			"Value 'RSA_1024' at 'wrappingKeySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, SM2]"},

	// Required strings whose shape accepts "" may be empty but not absent
	// (AWS: UpdateKeyDescription without Description, a Tag without
	// TagValue are ValidationException).
	{"UpdateKeyDescription/empty description", "UpdateKeyDescription", `{"KeyId":"k","Description":""}`, ""},
	{"UpdateKeyDescription/absent description", "UpdateKeyDescription", `{"KeyId":"k"}`,
		one("Value null at 'description' failed to satisfy constraint: Member must not be null")},
	{"UpdateKeyDescription/null description", "UpdateKeyDescription", `{"KeyId":"k","Description":null}`,
		one("Value null at 'description' failed to satisfy constraint: Member must not be null")},
	{"TagResource/absent tag value", "TagResource", `{"KeyId":"k","Tags":[{"TagKey":"a","TagValue":""},{"TagKey":"b"}]}`,
		one("Value null at 'tags.2.member.tagValue' failed to satisfy constraint: Member must not be null")},

	// Sensitive strings are never echoed, nested or not.
	{"CreateCustomKeyStore/sensitive", "CreateCustomKeyStore", `{"CustomKeyStoreName":"s","KeyStorePassword":"hunter2!x"}`, ""},
	{"CreateCustomKeyStore/sensitive violations", "CreateCustomKeyStore",
		`{"CustomKeyStoreName":"s","KeyStorePassword":"secret","XksProxyAuthenticationCredential":{"AccessKeyId":"lowercasesecretvalue"}}`,
		"3 validation errors detected: Value at 'keyStorePassword' failed to satisfy constraint: Member must have length greater than or equal to 7; " +
			"Value at 'xksProxyAuthenticationCredential.accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[A-Z2-7]+$; " +
			"Value null at 'xksProxyAuthenticationCredential.rawSecretAccessKey' failed to satisfy constraint: Member must not be null"},
}

func TestValidate(t *testing.T) {
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			in := InputOf[tc.op]()
			if err := Decode([]byte(tc.body), in); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			err := in.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v (%T), want *ValidationError", err, err)
			}
			if got := err.Error(); got != tc.want {
				t.Fatalf("Validate() message\n got: %s\nwant: %s", got, tc.want)
			}
			if !strings.HasPrefix(tc.want, fmt.Sprintf("%d validation error", len(ve.Violations))) {
				t.Fatalf("Violations has %d entries, message says otherwise", len(ve.Violations))
			}
		})
	}
}
