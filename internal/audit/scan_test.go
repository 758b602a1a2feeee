package audit

import (
	"encoding/json"
	"testing"
)

func TestScanMembersAgreesWithEncodingJSON(t *testing.T) {
	for _, body := range []string{
		`{}`, ` { "a" : 1 , "b":"x\"}" ,"c":{"d":[1,{"e":"]"}]},"f":null,"g":true,"h":-1.5e3}`,
		`{"KeyId":"k","EncryptionContext":{"a":"b"},"Tags":[{"TagKey":"t","TagValue":""}]}`,
	} {
		var want map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		if !scanMembers([]byte(body), func(n string, v []byte) { got[n] = string(v) }) {
			t.Fatalf("scanMembers refused %s", body)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d members, want %d", body, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != string(v) {
				t.Fatalf("%s: member %s = %s, want %s", body, k, got[k], v)
			}
		}
	}
	for _, bad := range []string{``, `[]`, `{"a"}`, `{"a":1`, `{"a":"1}`, `{"a":1 "b":2}`, `{"a":}`, `{,}`} {
		if scanMembers([]byte(bad), func(string, []byte) {}) {
			t.Errorf("scanMembers accepted %q", bad)
		}
	}
}

// FuzzRedactParameters: on any body that is a JSON object, the redacted
// parameters are valid JSON with no sensitive member; nothing panics.
func FuzzRedactParameters(f *testing.F) {
	f.Add([]byte(`{"KeyId":"k","Plaintext":"AAAA","EncryptionContext":{"a":"b"}}`))
	f.Add([]byte(`{"a":[1,{"b":"}"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var probe map[string]json.RawMessage
		valid := json.Unmarshal(body, &probe) == nil && probe != nil
		out := RedactParameters(body)
		if !valid {
			return // callers only pass bodies that decoded
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("redacted %q is not JSON: %q", body, out)
		}
		if _, ok := m["plaintext"]; ok {
			t.Fatalf("plaintext kept: %s", out)
		}
	})
}
