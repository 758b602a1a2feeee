package wire

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// sdkBodies are request bodies exactly as aws-sdk-go-v2 (service/kms
// v1.62.6, request_snapshot/*.request.snap) serialises them. CreateGrant
// carries members newer than the model (GranteeServicePrincipal), which
// must be ignored.
var sdkBodies = []struct {
	op   string
	body string
	want Validator
}{
	{"Encrypt", `{"DryRun":true,"EncryptionAlgorithm":"SYMMETRIC_DEFAULT","EncryptionContext":{"key0":"__Value__"},"GrantTokens":["__Member__","__Member__"],"KeyId":"__KeyId__","Plaintext":"YmxvYg=="}`,
		&EncryptRequest{DryRun: Ptr(true), EncryptionAlgorithm: "SYMMETRIC_DEFAULT", EncryptionContext: map[string]string{"key0": "__Value__"},
			GrantTokens: []string{"__Member__", "__Member__"}, KeyId: "__KeyId__", Plaintext: []byte("blob")}},
	{"GetParametersForImport", `{"KeyId":"__KeyId__","WrappingAlgorithm":"RSAES_PKCS1_V1_5","WrappingKeySpec":"RSA_2048"}`,
		&GetParametersForImportRequest{KeyId: "__KeyId__", WrappingAlgorithm: "RSAES_PKCS1_V1_5", WrappingKeySpec: "RSA_2048"}},
	{"ImportKeyMaterial", `{"EncryptedKeyMaterial":"YmxvYg==","ExpirationModel":"KEY_MATERIAL_EXPIRES","ImportToken":"YmxvYg==","ImportType":"NEW_KEY_MATERIAL","KeyId":"__KeyId__","KeyMaterialDescription":"__KeyMaterialDescription__","KeyMaterialId":"__KeyMaterialId__","ValidTo":946684800}`,
		&ImportKeyMaterialRequest{EncryptedKeyMaterial: []byte("blob"), ExpirationModel: "KEY_MATERIAL_EXPIRES", ImportToken: []byte("blob"), ImportType: "NEW_KEY_MATERIAL",
			KeyId: "__KeyId__", KeyMaterialDescription: "__KeyMaterialDescription__", KeyMaterialId: "__KeyMaterialId__", ValidTo: NewTimestamp(time.Unix(946684800, 0).UTC())}},
	{"TagResource", `{"KeyId":"__KeyId__","Tags":[{"TagKey":"__TagKey__","TagValue":"__TagValue__"},{"TagKey":"__TagKey__","TagValue":"__TagValue__"}]}`,
		&TagResourceRequest{KeyId: "__KeyId__", Tags: []Tag{{TagKey: "__TagKey__", TagValue: Ptr("__TagValue__")}, {TagKey: "__TagKey__", TagValue: Ptr("__TagValue__")}}}},
	{"ScheduleKeyDeletion", `{"KeyId":"__KeyId__","PendingWindowInDays":1}`,
		&ScheduleKeyDeletionRequest{KeyId: "__KeyId__", PendingWindowInDays: Ptr(int32(1))}},
	{"GenerateDataKey", `{"DryRun":true,"EncryptionContext":{"key0":"__Value__"},"GrantTokens":["__Member__","__Member__"],"KeyId":"__KeyId__","KeySpec":"AES_256","NumberOfBytes":1,"Recipient":{"AttestationDocument":"YmxvYg==","KeyEncryptionAlgorithm":"RSAES_OAEP_SHA_256"}}`,
		&GenerateDataKeyRequest{DryRun: Ptr(true), EncryptionContext: map[string]string{"key0": "__Value__"}, GrantTokens: []string{"__Member__", "__Member__"},
			KeyId: "__KeyId__", KeySpec: "AES_256", NumberOfBytes: Ptr(int32(1)), Recipient: &RecipientInfo{AttestationDocument: []byte("blob"), KeyEncryptionAlgorithm: "RSAES_OAEP_SHA_256"}}},
	{"CreateGrant", `{"Constraints":{"EncryptionContextEquals":{"key0":"__Value__"},"EncryptionContextSubset":{"key0":"__Value__"},"SourceArn":"__SourceArn__"},"DryRun":true,"GranteePrincipal":"__GranteePrincipal__","GranteeServicePrincipal":"__GranteeServicePrincipal__","GrantTokens":["__Member__","__Member__"],"KeyId":"__KeyId__","Name":"__Name__","Operations":["Decrypt","Decrypt"],"RetiringPrincipal":"__RetiringPrincipal__","RetiringServicePrincipal":"__RetiringServicePrincipal__"}`,
		&CreateGrantRequest{Constraints: &GrantConstraints{EncryptionContextEquals: map[string]string{"key0": "__Value__"}, EncryptionContextSubset: map[string]string{"key0": "__Value__"}},
			DryRun: Ptr(true), GranteePrincipal: "__GranteePrincipal__", GrantTokens: []string{"__Member__", "__Member__"}, KeyId: "__KeyId__", Name: "__Name__",
			Operations: []string{"Decrypt", "Decrypt"}, RetiringPrincipal: "__RetiringPrincipal__"}},
	{"ListKeys", `{"Limit":1,"Marker":"__Marker__"}`, &ListKeysRequest{Limit: Ptr(int32(1)), Marker: "__Marker__"}},
	{"CreateAlias", `{"AliasName":"__AliasName__","TargetKeyId":"__TargetKeyId__"}`, &CreateAliasRequest{AliasName: "__AliasName__", TargetKeyId: "__TargetKeyId__"}},
}

func TestDecodeSDKRequests(t *testing.T) {
	for _, tc := range sdkBodies {
		t.Run(tc.op, func(t *testing.T) {
			got := InputOf[tc.op]()
			if err := Decode([]byte(tc.body), got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decoded\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// TestAPIReferenceExamples decodes and validates request bodies from the
// KMS API Reference examples, and checks response bodies round-trip.
func TestAPIReferenceExamples(t *testing.T) {
	requests := map[string]string{
		"Encrypt":                `{"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "Plaintext": "VGhpcyBpcyBEYXkgMSBmb3IgdGhlIEludGVybmV0IENvbXB1dGVyIFByb2dyYW1taW5nIFRyYWluaW5nLg=="}`,
		"GetParametersForImport": `{"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "WrappingAlgorithm": "RSAES_OAEP_SHA_1", "WrappingKeySpec": "RSA_2048"}`,
		"CreateKey":              `{"Tags": [{"TagKey": "CreatedBy", "TagValue": "ExampleUser"}]}`,
		"CreateAlias":            `{"AliasName": "alias/ExampleAlias", "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}`,
		"ScheduleKeyDeletion":    `{"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "PendingWindowInDays": 7}`,
		"GenerateDataKey":        `{"KeyId": "alias/ExampleAlias", "KeySpec": "AES_256"}`,
		"ListKeys":               `{}`,
	}
	for op, body := range requests {
		t.Run(op, func(t *testing.T) {
			in := InputOf[op]()
			if err := Decode([]byte(body), in); err != nil {
				t.Fatal(err)
			}
			if err := in.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("GetParametersForImport response", func(t *testing.T) {
		body := `{"ImportToken":"AQID","KeyId":"arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","ParametersValidTo":1.480632737044E9,"PublicKey":"BAUG"}`
		var out GetParametersForImportResponse
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		if want := time.Unix(1480632737, 44e6); !out.ParametersValidTo.Equal(want) {
			t.Fatalf("ParametersValidTo = %v", out.ParametersValidTo)
		}
		b, _ := json.Marshal(out)
		if want := `{"KeyId":"arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","ImportToken":"AQID","PublicKey":"BAUG","ParametersValidTo":1480632737.044}`; string(b) != want {
			t.Fatalf("marshal\n got %s\nwant %s", b, want)
		}
	})

	t.Run("CreateKey response", func(t *testing.T) {
		body := `{"KeyMetadata":{"AWSAccountId":"111122223333","Arn":"arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","CreationDate":1.499288695918E9,"Enabled":true,"EncryptionAlgorithms":["SYMMETRIC_DEFAULT"],"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","KeyManager":"CUSTOMER","KeySpec":"SYMMETRIC_DEFAULT","KeyState":"Enabled","KeyUsage":"ENCRYPT_DECRYPT","MultiRegion":false,"Origin":"AWS_KMS"}}`
		var out CreateKeyResponse
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		m := out.KeyMetadata
		if m == nil || m.KeyState != KeyStateEnabled || !*m.Enabled || *m.MultiRegion || m.CreationDate.UnixMilli() != 1499288695918 ||
			!reflect.DeepEqual(m.EncryptionAlgorithms, []string{EncryptionAlgorithmSpecSymmetricDefault}) {
			t.Fatalf("decoded %+v", m)
		}
	})
}

// TestResponseListsOmitzero checks that an empty non-nil list is sent as
// [] (boto3 callers index resp["Aliases"]) while a nil one is omitted.
func TestResponseListsOmitzero(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{ListAliasesResponse{Aliases: []AliasListEntry{}, Truncated: Ptr(false)}, `{"Aliases":[],"Truncated":false}`},
		{ListAliasesResponse{}, `{}`},
		{ListResourceTagsResponse{Tags: []Tag{{TagKey: "k"}}}, `{"Tags":[{"TagKey":"k"}]}`},
		{GrantConstraints{EncryptionContextEquals: map[string]string{}}, `{"EncryptionContextEquals":{}}`},
	}
	for _, tc := range tests {
		b, err := json.Marshal(tc.in)
		if err != nil || string(b) != tc.want {
			t.Errorf("Marshal(%T) = %s, %v; want %s", tc.in, b, err, tc.want)
		}
	}
}
