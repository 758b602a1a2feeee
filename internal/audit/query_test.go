package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// queryLog writes n records, one per second from t0, EventName "Op<i%3>",
// with a torn line in the middle and an unterminated last line, and
// returns its path.
func queryLog(t *testing.T, n int, t0 time.Time) string {
	t.Helper()
	var b bytes.Buffer
	for i := range n {
		rec := Record{EventID: fmt.Sprintf("ev-%04d", i), EventName: fmt.Sprintf("Op%d", i%3),
			EventTime: t0.Add(time.Duration(i) * time.Second), RequestParameters: json.RawMessage("null"),
			ResponseElements: json.RawMessage("null")}
		line, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
		if i == n/2 {
			b.WriteString("{\"torn\n\n")
		}
	}
	b.WriteString(`{"eventID":"in-progr`)
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadNewest(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// 3000 records of ~250 bytes span several chunks, so lines cross
	// chunk boundaries.
	path := queryLog(t, 3000, t0)
	ids := func(res QueryResult) []string {
		var out []string
		for _, r := range res.Records {
			out = append(out, r.EventID)
		}
		return out
	}
	cases := []struct {
		name      string
		q         Query
		want      []string
		exhausted bool
	}{
		{"newest first", Query{Limit: 3}, []string{"ev-2999", "ev-2998", "ev-2997"}, false},
		{"match", Query{Limit: 2, Match: func(r *Record) bool { return r.EventName == "Op1" }}, []string{"ev-2998", "ev-2995"}, false},
		{"oldest reached", Query{Limit: 2, Match: func(r *Record) bool { return r.EventID <= "ev-0001" }}, []string{"ev-0001", "ev-0000"}, false},
		{"since stops the scan", Query{Limit: 10, Since: t0.Add(2990 * time.Second), Match: func(r *Record) bool { return r.EventID == "ev-0005" }}, nil, false},
		{"bounded scan", Query{Limit: 10, MaxScan: 1 << 10, Match: func(r *Record) bool { return r.EventID == "ev-0005" }}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := ReadNewest(path, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("records %v, want %v", got, c.want)
			}
			if res.Exhausted != c.exhausted {
				t.Fatalf("Exhausted = %v, want %v", res.Exhausted, c.exhausted)
			}
		})
	}
	t.Run("every record once", func(t *testing.T) {
		res, err := ReadNewest(path, Query{Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Records) != 3000 || res.Records[0].EventID != "ev-2999" || res.Records[2999].EventID != "ev-0000" {
			t.Fatalf("read %d records, want all 3000 in reverse order", len(res.Records))
		}
	})
}
