package wire

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// FuzzDecodeValidate feeds arbitrary bodies to Decode and Validate for
// every operation. Neither may panic; Decode may fail only with a
// *SerializationError; a failed Validate must be a *ValidationError whose
// message counts its violations; and no blob is ever echoed. The strict
// decoding rules are checked by FuzzDecodeStrict (strict_fuzz_test.go).
func FuzzDecodeValidate(f *testing.F) {
	for _, tc := range validateCases {
		f.Add(uint8(opIndex(tc.op)), []byte(tc.body))
	}
	for _, tc := range sdkBodies {
		f.Add(uint8(opIndex(tc.op)), []byte(tc.body))
	}
	for _, body := range []string{"", "{", "[]", "null", `{"ValidTo":1e400}`, `{"Tags":[null,{}]}`, `{"KeyId":"\ud800"}`,
		`{"KeyId":"a","keyid":"b"}`, `{"KeyId":"a","KeyId":"b"}`, "{\"KeyId\":\"\xff\"}"} {
		f.Add(uint8(0), []byte(body))
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := Operations[int(op)%len(Operations)]
		in := InputOf[name]()
		err := Decode(body, in)
		if err != nil {
			var se *SerializationError
			if !errors.As(err, &se) {
				t.Fatalf("%s: Decode(%q) = %v (%T), want *SerializationError", name, body, err, err)
			}
			_ = se.Error()
			return
		}
		err = in.Validate()
		if err == nil {
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Violations) == 0 {
			t.Fatalf("%s: Validate() = %v (%T)", name, err, err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, strconv.Itoa(len(ve.Violations))+" validation error") {
			t.Fatalf("%s: message %q does not count %d violations", name, msg, len(ve.Violations))
		}
		for _, v := range ve.Violations {
			if (v.Null || v.Redacted) && v.Value != "" {
				t.Fatalf("%s: violation %+v echoes a hidden value", name, v)
			}
			if len([]rune(v.Value)) > maxEcho+3 {
				t.Fatalf("%s: violation echoes %d characters", name, len([]rune(v.Value)))
			}
		}
	})
}

func opIndex(op string) int {
	for i, o := range Operations {
		if o == op {
			return i
		}
	}
	panic("unknown operation " + op)
}

// FuzzTimestamp checks that any number encoding/json accepts either fails
// with a *SerializationError or decodes to a time that marshals and
// decodes back to the same millisecond.
func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{"1480632737", "1.480632737044E9", "-0.5", "1e-10", "253402300799.9999", "\"x\"", "1e99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var ts Timestamp
		if err := ts.UnmarshalJSON([]byte(s)); err != nil {
			var se *SerializationError
			if !errors.As(err, &se) {
				t.Fatalf("UnmarshalJSON(%q) = %v (%T)", s, err, err)
			}
			return
		}
		b, err := ts.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var back Timestamp
		if err := back.UnmarshalJSON(b); err != nil || back.UnixMilli() != ts.UnixMilli() {
			t.Fatalf("%q -> %v -> %s -> %v, %v", s, ts.Time, b, back.Time, err)
		}
	})
}
