package wire

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestDecodeExactNames: a name that is not exactly a model member is
// ignored, as AWS does, however encoding/json would have folded it.
func TestDecodeExactNames(t *testing.T) {
	tests := []struct {
		name, op, body string
		want           Validator
	}{
		{"lower-case plaintext", "Encrypt", `{"KeyId":"k","plaintext":"SGk="}`, &EncryptRequest{KeyId: "k"}},
		{"lower-case grant tokens", "Encrypt", `{"KeyId":"k","grantTokens":["t"],"Plaintext":"SGk="}`, &EncryptRequest{KeyId: "k", Plaintext: []byte("Hi")}},
		{"lower-case ciphertext", "Decrypt", `{"ciphertextBlob":"SGk="}`, &DecryptRequest{}},
		{"second key id folded", "DisableKey", `{"KeyId":"A","keyid":"B"}`, &DisableKeyRequest{KeyId: "A"}},
		{"first key id folded", "DisableKey", `{"KEYID":"B","KeyId":"A"}`, &DisableKeyRequest{KeyId: "A"}},
		{"kelvin sign", "DisableKey", `{"KeyId":"A","` + "\u212A" + `eyId":"B"}`, &DisableKeyRequest{KeyId: "A"}},
		{"escaped kelvin sign", "DisableKey", `{"\u212aeyId":"B"}`, &DisableKeyRequest{}},
		{"dotless i folds in encoding/json", "DisableKey", `{"Key` + "\u0130" + `d":"B"}`, &DisableKeyRequest{}},
		{"escaped exact name is the member", "DisableKey", `{"Key\u0049d":"A"}`, &DisableKeyRequest{KeyId: "A"}},
		{"nested structure", "TagResource", `{"KeyId":"k","Tags":[{"tagKey":"x","TagKey":"a","tagvalue":"y","TagValue":""}]}`,
			&TagResourceRequest{KeyId: "k", Tags: []Tag{{TagKey: "a", TagValue: Ptr("")}}}},
		{"nested pointer structure", "Decrypt", `{"Recipient":{"attestationDocument":"SGk=","KeyEncryptionAlgorithm":"RSAES_OAEP_SHA_256"}}`,
			&DecryptRequest{Recipient: &RecipientInfo{KeyEncryptionAlgorithm: "RSAES_OAEP_SHA_256"}}},
		{"map keys are data", "Encrypt", `{"EncryptionContext":{"Plaintext":"a","plaintext":"b"}}`,
			&EncryptRequest{EncryptionContext: map[string]string{"Plaintext": "a", "plaintext": "b"}}},
		{"unknown members, even repeated", "DisableKey", `{"KeyId":"A","Foo":1,"Foo":{"KeyId":2},"Foo":[{}]}`, &DisableKeyRequest{KeyId: "A"}},
		{"valid surrogate pair", "Encrypt", `{"EncryptionContext":{"k":"\ud83d\ude00"}}`,
			&EncryptRequest{EncryptionContext: map[string]string{"k": "\U0001F600"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := InputOf[tc.op]()
			if err := Decode([]byte(tc.body), got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decoded %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestDecodeFoldedRequiredMember: the audit leak of issue 10 — a folded
// Plaintext is not the member, so the required member is missing.
func TestDecodeFoldedRequiredMember(t *testing.T) {
	var in EncryptRequest
	if err := Decode([]byte(`{"KeyId":"k","plaintext":"c2VjcmV0"}`), &in); err != nil {
		t.Fatal(err)
	}
	want := "1 validation error detected: Value null at 'plaintext' failed to satisfy constraint: Member must not be null"
	if err := in.Validate(); err == nil || err.Error() != want {
		t.Fatalf("Validate() = %v, want %q", err, want)
	}
}

// TestDecodeRefuses: duplicates, invalid UTF-8 and unpaired surrogates are
// SerializationExceptions, wherever they are.
func TestDecodeRefuses(t *testing.T) {
	bigMap := `{"EncryptionContext":{`
	for i := range 20 {
		bigMap += `"k` + strconv.Itoa(i) + `":"v",`
	}
	bigMap += `"k3":"again"}}`
	tests := []struct{ name, op, body, want, field string }{
		{"duplicate member", "DisableKey", `{"KeyId":"A","KeyId":"B"}`, "Duplicate field 'KeyId'", "KeyId"},
		{"duplicate null member", "DisableKey", `{"KeyId":"A","KeyId":null}`, "Duplicate field 'KeyId'", "KeyId"},
		{"duplicate escaped member", "DisableKey", `{"KeyId":"A","Key\u0049d":"B"}`, "Duplicate field 'KeyId'", "KeyId"},
		{"duplicate nested member", "TagResource", `{"KeyId":"k","Tags":[{"TagKey":"a","TagValue":"","TagKey":"b"}]}`, "Duplicate field 'TagKey'", "TagKey"},
		{"duplicate map key", "Encrypt", `{"EncryptionContext":{"a":"1","a":"2"}}`, "Duplicate map key in 'EncryptionContext'", "EncryptionContext"},
		{"duplicate escaped map key", "Encrypt", `{"EncryptionContext":{"a":"1","\u0061":"2"}}`, "Duplicate map key in 'EncryptionContext'", "EncryptionContext"},
		{"duplicate key of a large map", "Encrypt", bigMap, "Duplicate map key in 'EncryptionContext'", "EncryptionContext"},
		{"duplicate nested map key", "CreateGrant", `{"Constraints":{"EncryptionContextSubset":{"a":"1","a":"1"}}}`,
			"Duplicate map key in 'EncryptionContextSubset'", "EncryptionContextSubset"},
		{"invalid UTF-8 value", "Encrypt", `{"EncryptionContext":{"k":"` + "\xff" + `"}}`, "Invalid UTF-8 in request body at offset 27: byte 0xff", ""},
		{"invalid UTF-8 name", "Encrypt", `{"Key` + "\xc3" + `Id":"k"}`, "Invalid UTF-8 in request body at offset 5: byte 0xc3", ""},
		{"invalid UTF-8 in unknown member", "Encrypt", `{"X":["` + "\xed\xa0\x80" + `"]}`, "Invalid UTF-8 in request body at offset 7: byte 0xed", ""},
		{"invalid UTF-8 non-object", "Encrypt", `"` + "\xfe" + `"`, "Invalid UTF-8 in request body at offset 1: byte 0xfe", ""},
		{"lone high surrogate", "Encrypt", `{"EncryptionContext":{"k":"\ud800"}}`,
			`Invalid \u escape in request body at offset 27: unpaired UTF-16 surrogate \ud800`, ""},
		{"lone low surrogate", "Encrypt", `{"KeyId":"a\uDC00"}`,
			`Invalid \u escape in request body at offset 11: unpaired UTF-16 surrogate \uDC00`, ""},
		{"high surrogate then other escape", "Encrypt", `{"KeyId":"\ud800\u0041"}`,
			`Invalid \u escape in request body at offset 10: unpaired UTF-16 surrogate \ud800`, ""},
		{"surrogate in member name", "Encrypt", `{"\udfff":1}`,
			`Invalid \u escape in request body at offset 2: unpaired UTF-16 surrogate \udfff`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Decode([]byte(tc.body), InputOf[tc.op]())
			var se *SerializationError
			if !errors.As(err, &se) {
				t.Fatalf("Decode = %v (%T), want *SerializationError", err, err)
			}
			if se.Message != tc.want || se.Field != tc.field {
				t.Fatalf("got (%q, field %q), want (%q, field %q)", se.Message, se.Field, tc.want, tc.field)
			}
		})
	}
}

// TestDecodeEncryptionContextCollision: two contexts that differ only in
// invalid bytes must not decode to the same map (issue 10, item 6).
func TestDecodeEncryptionContextCollision(t *testing.T) {
	for _, body := range []string{
		`{"EncryptionContext":{"k":"` + "\xff" + `"}}`,
		`{"EncryptionContext":{"k":"` + "\xfe" + `"}}`,
		`{"EncryptionContext":{"k":"\udc00"}}`,
	} {
		var in EncryptRequest
		if err := Decode([]byte(body), &in); err == nil {
			t.Errorf("Decode(%q) accepted %q", body, in.EncryptionContext["k"])
		}
	}
}

// TestDecodeMalformedUnchanged: the pre-pass leaves syntax errors to
// encoding/json's wording, including depth.
func TestDecodeMalformedUnchanged(t *testing.T) {
	deep := `{"X":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`
	tests := []struct{ body, want string }{
		{`{"KeyId":"k`, "Malformed JSON request body at offset 11: unexpected end of JSON input"},
		{`{"KeyId" "k"}`, "Malformed JSON request body at offset 10: invalid character '\"' after object key"},
		{`{"KeyId":"\x"}`, "Malformed JSON request body at offset 12: invalid character 'x' in string escape code"},
		{`{"KeyId":"\u12"}`, "Malformed JSON request body at offset 15: invalid character '\"' in \\u hexadecimal character escape"},
		{`{"KeyId":tru}`, "Malformed JSON request body at offset 13: invalid character '}' in literal true (expecting 'e')"},
		{deep, "Malformed JSON request body at offset 10005: invalid character '[' exceeded max depth"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			err := Decode([]byte(tc.body), &EncryptRequest{})
			var se *SerializationError
			if !errors.As(err, &se) || se.Message != tc.want {
				t.Fatalf("Decode = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestEmptyRequiredStringsAreSent: a required member whose value may be ""
// is sent as "" (ListResourceTags answers "TagValue":"").
func TestEmptyRequiredStringsAreSent(t *testing.T) {
	b, err := json.Marshal(&ListResourceTagsResponse{Tags: []Tag{{TagKey: "k", TagValue: Ptr("")}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"Tags":[{"TagKey":"k","TagValue":""}]}`; string(b) != want {
		t.Fatalf("marshalled %s, want %s", b, want)
	}
}

// TestStrictCheckDoesNotAllocate holds the pre-pass to zero allocations
// on a clean body, including nested lists, structures and maps.
func TestStrictCheckDoesNotAllocate(t *testing.T) {
	for _, tc := range sdkBodies {
		sc := schemaOf(reflect.TypeOf(InputOf[tc.op]()))
		body := []byte(tc.body)
		if strings.Contains(tc.body, "GranteeServicePrincipal") {
			continue // has members newer than the model, blanked in a copy
		}
		if n := testing.AllocsPerRun(100, func() { _, _ = strictCheck(body, sc) }); n != 0 {
			t.Errorf("%s: strictCheck allocates %.0f times, want 0", tc.op, n)
		}
	}
}
