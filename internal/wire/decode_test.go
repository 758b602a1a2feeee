package wire

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeEmptyBody(t *testing.T) {
	for _, body := range []string{"", " \r\n\t"} {
		var in ListKeysRequest
		if err := Decode([]byte(body), &in); err != nil {
			t.Fatalf("Decode(%q) = %v, want nil", body, err)
		}
		if in.Limit != nil || in.Marker != "" {
			t.Fatalf("Decode(%q) set members: %+v", body, in)
		}
	}
}

func TestDecodeMalformedAndNonObject(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{`, "Malformed JSON request body at offset 1: unexpected end of JSON input"},
		{`{"KeyId":}`, "Malformed JSON request body at offset 10: invalid character '}' looking for beginning of value"},
		{`{"KeyId":"k"} x`, "Malformed JSON request body at offset 15: invalid character 'x' after top-level value"},
		{`{"KeyId":"k",}`, "Malformed JSON request body at offset 14: invalid character '}' looking for beginning of object key string"},
		{`[`, "Malformed JSON request body at offset 1: unexpected end of JSON input"},
		{`KeyId=k`, "Malformed JSON request body at offset 1: invalid character 'K' looking for beginning of value"},
		{`[]`, "Request body must be a JSON object"},
		{`"x"`, "Request body must be a JSON object"},
		{`null`, "Request body must be a JSON object"},
		{` 5 `, "Request body must be a JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.body, func(t *testing.T) {
			var in EncryptRequest
			err := Decode([]byte(tc.body), &in)
			var se *SerializationError
			if !errors.As(err, &se) {
				t.Fatalf("Decode = %v (%T), want *SerializationError", err, err)
			}
			if se.Message != tc.want || err.Error() != tc.want {
				t.Fatalf("message %q, want %q", se.Message, tc.want)
			}
		})
	}
}

func TestDecodeTypeMismatch(t *testing.T) {
	tests := []struct{ op, body, want, field string }{
		{"Encrypt", `{"KeyId":5}`, "NUMBER_VALUE cannot be converted to String", "KeyId"},
		{"Encrypt", `{"KeyId":-1.5e3}`, "DECIMAL_VALUE cannot be converted to String", "KeyId"},
		{"Encrypt", `{"KeyId":true}`, "TRUE_VALUE cannot be converted to String", "KeyId"},
		{"Encrypt", `{"KeyId":false}`, "FALSE_VALUE cannot be converted to String", "KeyId"},
		{"Encrypt", `{"KeyId":["a"]}`, "Unrecognized collection type class java.lang.String", "KeyId"},
		{"Encrypt", `{"KeyId":{"a":1}}`, "Start of structure or map found where not expected", "KeyId"},
		{"Encrypt", `{"Plaintext":5}`, "only base-64-encoded strings are convertible to bytes", "Plaintext"},
		{"Encrypt", `{"Plaintext":"abc"}`, "Invalid Base64 value for a blob member: illegal data at input byte 0", ""},
		{"Encrypt", `{"Plaintext":"ab=c"}`, "Invalid Base64 value for a blob member: illegal data at input byte 2", ""},
		{"Encrypt", `{"Plaintext":["a"]}`, "Unrecognized collection type class java.nio.ByteBuffer", "Plaintext"},
		{"Encrypt", `{"GrantTokens":"t"}`, "Unexpected field type", "GrantTokens"},
		{"Encrypt", `{"GrantTokens":[1]}`, "NUMBER_VALUE cannot be converted to String", "GrantTokens"},
		{"Encrypt", `{"EncryptionContext":[]}`, "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>", "EncryptionContext"},
		{"Encrypt", `{"EncryptionContext":{"a":1}}`, "NUMBER_VALUE cannot be converted to String", "EncryptionContext"},
		{"Encrypt", `{"EncryptionContext":"x"}`, "Unexpected field type", "EncryptionContext"},
		{"Encrypt", `{"DryRun":"true"}`, "Unexpected token received from parser", "DryRun"},
		{"Encrypt", `{"DryRun":1}`, "NUMBER_VALUE cannot be converted to Boolean", "DryRun"},
		{"Encrypt", `{"DryRun":0.5}`, "DECIMAL_VALUE cannot be converted to Boolean", "DryRun"},
		{"Encrypt", `{"DryRun":[]}`, "Unrecognized collection type class java.lang.Boolean", "DryRun"},
		{"GenerateDataKey", `{"NumberOfBytes":"32"}`, "STRING_VALUE cannot be converted to Integer", "NumberOfBytes"},
		{"GenerateDataKey", `{"NumberOfBytes":32.5}`, "DECIMAL_VALUE cannot be converted to Integer", "NumberOfBytes"},
		{"GenerateDataKey", `{"NumberOfBytes":99999999999}`, "NUMBER_VALUE cannot be converted to Integer", "NumberOfBytes"},
		{"GenerateDataKey", `{"NumberOfBytes":false}`, "FALSE_VALUE cannot be converted to Integer", "NumberOfBytes"},
		{"GenerateDataKey", `{"NumberOfBytes":{}}`, "Start of structure or map found where not expected", "NumberOfBytes"},
		{"Decrypt", `{"Recipient":"x"}`, "Unexpected field type", "Recipient"},
		{"Decrypt", `{"Recipient":[]}`, "Unrecognized collection type class RecipientInfo", "Recipient"},
		{"TagResource", `{"Tags":[{"TagKey":5}]}`, "NUMBER_VALUE cannot be converted to String", "Tags.TagKey"},
		{"TagResource", `{"Tags":["k"]}`, "Unexpected field type", "Tags"},
		{"ImportKeyMaterial", `{"ValidTo":"2024-01-01T00:00:00Z"}`, "STRING_VALUE cannot be converted to Timestamp", ""},
		{"ImportKeyMaterial", `{"ValidTo":1e13}`, "Invalid timestamp value: out of range (years 0001 to 9999)", ""},
	}
	for _, tc := range tests {
		t.Run(tc.op+" "+tc.body, func(t *testing.T) {
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

func TestDecodeIgnoresUnknownAndNull(t *testing.T) {
	var in EncryptRequest
	body := `{"KeyId":"k","Plaintext":"SGk=","Unknown":{"x":[1,2,{"y":null}]},"EncryptionAlgorithm":null}`
	if err := Decode([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if in.KeyId != "k" || string(in.Plaintext) != "Hi" || in.EncryptionAlgorithm != "" {
		t.Fatalf("decoded %+v", in)
	}
	var nulls EncryptRequest
	if err := Decode([]byte(`{"KeyId":null,"Plaintext":null}`), &nulls); err != nil {
		t.Fatal(err)
	}
	if err := nulls.Validate(); err == nil || !strings.HasPrefix(err.Error(), "2 validation errors detected: Value null at 'keyId'") {
		t.Fatalf("null members: %v", err)
	}
}

func TestDecodeNonPointer(t *testing.T) {
	for _, v := range []any{nil, EncryptRequest{}} {
		err := Decode([]byte(`{"KeyId":"k"}`), v)
		var se *SerializationError
		if err == nil || errors.As(err, &se) {
			t.Fatalf("Decode into %T = %v, want a plain (programming) error", v, err)
		}
	}
}
