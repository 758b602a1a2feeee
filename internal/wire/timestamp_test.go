package wire

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTimestampMarshal(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Unix(1480632737, 44e6), "1480632737.044"},
		{time.Unix(1480632737, 0), "1480632737"},
		{time.Unix(1480632737, 5e8), "1480632737.5"},
		{time.Unix(1480632737, 4e7), "1480632737.04"},
		{time.Unix(1480632737, 999999999), "1480632737.999"},
		{time.Unix(0, 0), "0"},
		{time.Unix(-1, 5e8), "-0.5"},
		{time.Unix(-2, 0), "-2"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			got, err := json.Marshal(Timestamp{tc.in})
			if err != nil || string(got) != tc.want {
				t.Fatalf("Marshal = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
	t.Run("in a response", func(t *testing.T) {
		resp := GetParametersForImportResponse{KeyId: keyID, ParametersValidTo: NewTimestamp(time.Unix(1480632737, 44e6))}
		got, _ := json.Marshal(resp)
		if want := `{"KeyId":"` + keyID + `","ParametersValidTo":1480632737.044}`; string(got) != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	})
}

func TestTimestampUnmarshal(t *testing.T) {
	tests := []struct {
		in        string
		sec, nsec int64
	}{
		{"1480632737", 1480632737, 0},
		{"1480632737.044", 1480632737, 44e6},
		{"1.480632737044E9", 1480632737, 44e6},
		{"1.480632737044e+9", 1480632737, 44e6},
		{"14806327370.44e-1", 1480632737, 44e6},
		{"946684800", 946684800, 0},
		{"0", 0, 0},
		{"-0.5", -1, 5e8},
		{"-1.5e0", -2, 5e8},
		{"0.000000001", 0, 1},
		{"1.0000000019", 1, 1},
		{"1e-10", 0, 0},
		{"0e5", 0, 0},
		{"253402300799", 253402300799, 0},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var ts Timestamp
			if err := json.Unmarshal([]byte(tc.in), &ts); err != nil {
				t.Fatal(err)
			}
			if want := time.Unix(tc.sec, tc.nsec); !ts.Equal(want) || ts.Location() != time.UTC {
				t.Fatalf("got %v, want %v UTC", ts.Time, want.UTC())
			}
		})
	}
}

func TestTimestampUnmarshalRejects(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"2016-12-01T00:00:00Z"`, "STRING_VALUE cannot be converted to Timestamp"},
		{`"1480632737"`, "STRING_VALUE cannot be converted to Timestamp"},
		{`true`, "TRUE_VALUE cannot be converted to Timestamp"},
		{`false`, "FALSE_VALUE cannot be converted to Timestamp"},
		{`[1]`, "Unrecognized collection type class java.util.Date"},
		{`{}`, "Start of structure or map found where not expected"},
		{`1e13`, "Invalid timestamp value: out of range (years 0001 to 9999)"},
		{`253402300800`, "Invalid timestamp value: out of range (years 0001 to 9999)"},
		{`-1e11`, "Invalid timestamp value: out of range (years 0001 to 9999)"},
		{`1e99999`, "Invalid timestamp value: out of range (years 0001 to 9999)"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var ts Timestamp
			err := json.Unmarshal([]byte(tc.in), &ts)
			var se *SerializationError
			if !errors.As(err, &se) || se.Message != tc.want {
				t.Fatalf("Unmarshal(%s) = %v, want SerializationError %q", tc.in, err, tc.want)
			}
		})
	}
	// Direct calls with bytes encoding/json would never pass.
	for _, in := range []string{"", "abc", "01", "1.", ".5", "1e", "--1", "1x"} {
		var ts Timestamp
		if err := ts.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("UnmarshalJSON(%q) = nil, want an error", in)
		}
	}
}

func TestTimestampNull(t *testing.T) {
	ts := Timestamp{time.Unix(5, 0)}
	if err := ts.UnmarshalJSON([]byte("null")); err != nil || ts.Unix() != 5 {
		t.Fatalf("null changed the value or failed: %v %v", ts, err)
	}
	var in ImportKeyMaterialRequest
	if err := Decode([]byte(`{"ValidTo":null}`), &in); err != nil || in.ValidTo != nil {
		t.Fatalf("ValidTo null: %v %v", in.ValidTo, err)
	}
}

func TestTimestampRoundTrip(t *testing.T) {
	for _, ms := range []int64{0, 1, 999, 1000, 1480632737044, 1480632737040, -1, -1500, 253402300799999, -62135596800000} {
		in := Timestamp{time.UnixMilli(ms)}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out Timestamp
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%d: %s: %v", ms, b, err)
		}
		if !out.Equal(in.Time) {
			t.Fatalf("%d: round trip via %s gave %v, want %v", ms, b, out.Time, in.Time)
		}
		if strings.HasSuffix(string(b), "0") && strings.Contains(string(b), ".") {
			t.Fatalf("%d: trailing zero in %s", ms, b)
		}
	}
}

func TestPtr(t *testing.T) {
	if p := Ptr(int32(7)); *p != 7 {
		t.Fatal(*p)
	}
	if p := Ptr(true); !*p {
		t.Fatal(*p)
	}
	if ts := NewTimestamp(time.Unix(9, 0)); ts.Unix() != 9 {
		t.Fatal(ts)
	}
}
