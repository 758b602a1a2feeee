package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeStrict checks Decode against a reference reading of the body
// built on encoding/json's tokenizer (a different parser from the
// pre-pass): whatever Decode accepts is valid UTF-8, has no duplicate
// member or map key, no unpaired surrogate, and decodes exactly as the
// body with only its exact member names kept; whatever it refuses as
// malformed is not valid JSON, and a duplicate it reports is real.
func FuzzDecodeStrict(f *testing.F) {
	for _, tc := range sdkBodies {
		f.Add(uint8(opIndex(tc.op)), []byte(tc.body))
	}
	for _, body := range []string{
		`{"KeyId":"k","plaintext":"SGk="}`, `{"KeyId":"A","keyid":"B"}`, `{"KeyId":"A","KeyId":"B"}`,
		`{"EncryptionContext":{"a":"1","\u0061":"2"}}`, `{"Key\u0049d":"A"}`, `{"\u212aeyId":"B"}`,
		`{"EncryptionContext":{"k":"\ud83d\ude00","l":"\ud800"}}`, "{\"EncryptionContext\":{\"k\":\"\xff\"}}",
		`{"Tags":[{"TagKey":"a","tagKey":"b","TagValue":""}],"X":[[{"a":1,"a":2}]]}`, `{"KeyId":"\"\\"}`,
	} {
		f.Add(uint8(opIndex("Encrypt")), []byte(body))
		f.Add(uint8(opIndex("TagResource")), []byte(body))
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := Operations[int(op)%len(Operations)]
		in := InputOf[name]()
		err := Decode(body, in)
		ref, refErr := reference(body, schemaOf(reflect.TypeOf(in)))
		if err != nil {
			var se *SerializationError
			if !errors.As(err, &se) {
				t.Fatalf("%s: Decode(%q) = %v (%T), want *SerializationError", name, body, err, err)
			}
			switch {
			case strings.HasPrefix(se.Message, "Malformed JSON") && json.Valid(body):
				t.Fatalf("%s: Decode(%q) calls valid JSON malformed: %v", name, body, err)
			case strings.HasPrefix(se.Message, "Invalid UTF-8") && utf8.Valid(body):
				t.Fatalf("%s: Decode(%q) calls valid UTF-8 invalid: %v", name, body, err)
			case strings.HasPrefix(se.Message, "Duplicate") && !errors.Is(refErr, errRefDuplicate) && json.Valid(body):
				t.Fatalf("%s: Decode(%q) reports a duplicate the reference does not see: %v", name, body, err)
			}
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("%s: Decode accepted invalid UTF-8 %q", name, body)
		}
		if refErr != nil {
			t.Fatalf("%s: Decode accepted %q, reference refuses: %v", name, body, refErr)
		}
		if bytes.ContainsRune(ref, utf8.RuneError) && !bytes.ContainsRune(body, utf8.RuneError) &&
			!bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`)) {
			t.Fatalf("%s: Decode accepted %q, which holds an unpaired surrogate", name, body)
		}
		want := InputOf[name]()
		if err := json.Unmarshal(ref, want); err != nil {
			t.Fatalf("%s: Decode accepted %q; its exact-name reading %s does not decode: %v", name, body, ref, err)
		}
		if !reflect.DeepEqual(in, want) {
			t.Fatalf("%s: Decode(%q) = %+v, want the exact-name reading %s = %+v", name, body, in, ref, want)
		}
	})
}

var errRefDuplicate = errors.New("duplicate member or map key")

// reference re-encodes body keeping, in structures, only the members
// whose name is exactly a member name, and reports duplicates.
func reference(body []byte, sc *schema) ([]byte, error) {
	if len(bytes.TrimLeft(body, " \t\r\n")) == 0 {
		return []byte("{}"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := refValue(dec, sc)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return json.Marshal(v)
}

func refValue(dec *json.Decoder, sc *schema) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		if sc != nil && sc.kind != kindStruct && sc.kind != kindMap {
			sc = nil // a type mismatch
		}
		m := map[string]any{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key := k.(string)
			var sub *schema
			keep := true
			switch {
			case sc == nil:
			case sc.kind == kindStruct:
				f := sc.field([]byte(key))
				keep = f >= 0
				if keep {
					sub = sc.fields[f].sub
				}
			case sc.kind == kindMap:
				sub = sc.elem
			}
			v, err := refValue(dec, sub)
			if err != nil {
				return nil, err
			}
			if _, dup := m[key]; dup && keep && sc != nil {
				return nil, errRefDuplicate
			}
			if keep {
				m[key] = v
			}
		}
		_, err := dec.Token()
		return m, err
	case json.Delim('['):
		var elem *schema
		if sc != nil && sc.kind == kindList {
			elem = sc.elem
		}
		l := []any{}
		for dec.More() {
			v, err := refValue(dec, elem)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err := dec.Token()
		return l, err
	}
	return tok, nil
}
