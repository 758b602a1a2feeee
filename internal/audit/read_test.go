package audit

import (
	"errors"
	"strings"
	"testing"
)

// TestScanReportsUnreadableLines: every line that is not a record is
// reported with its number, offset and size, and the records around it
// are still read.
func TestScanReportsUnreadableLines(t *testing.T) {
	rec := `{"eventID":"e","eventName":"Decrypt","eventTime":"2026-01-01T00:00:00Z"}`
	o := int64(len(rec) + 1) // the second line's offset
	huge := `{"eventID":"h","pad":"` + strings.Repeat("x", maxLine) + `"}`
	type bad struct {
		line         int
		offset, size int64
		unterminated bool
	}
	for _, tc := range []struct {
		name    string
		content string
		records int
		bad     []bad
	}{
		{"clean", rec + "\n" + rec + "\n", 2, nil},
		{"empty file", "", 0, nil},
		{"garbage between records", rec + "\nnot json\n" + rec + "\n", 2, []bad{{2, o, 9, false}}},
		{"blank line", rec + "\n\n" + rec + "\n", 2, []bad{{2, o, 1, false}}},
		{"JSON that is not a record", "{}\n[1]\n" + rec + "\n", 1, []bad{{1, 0, 3, false}, {2, 3, 4, false}}},
		{"zeros", "\x00\x00\n" + rec + "\n", 1, []bad{{1, 0, 3, false}}},
		{"torn last line", rec + "\n" + `{"eventID":"x","even`, 1, []bad{{2, o, 20, true}}},
		{"whole last record without newline", rec + "\n" + rec, 2, nil},
		{"line longer than any record", rec + "\n" + huge + "\n" + rec + "\n", 2, []bad{{2, o, int64(len(huge) + 1), false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			var got []bad
			err := Scan(strings.NewReader(tc.content), Filter{}, func(*Record) error { n++; return nil },
				func(u Unreadable) error {
					if u.Err == nil {
						t.Errorf("line %d reported without a reason", u.Line)
					}
					got = append(got, bad{u.Line, u.Offset, u.Size, u.Unterminated})
					return nil
				})
			if err != nil || n != tc.records {
				t.Fatalf("%d records, %v; want %d", n, err, tc.records)
			}
			if len(got) != len(tc.bad) {
				t.Fatalf("unreadable %+v, want %+v", got, tc.bad)
			}
			for i := range got {
				if got[i] != tc.bad[i] {
					t.Fatalf("unreadable %+v, want %+v", got, tc.bad)
				}
			}
			err = ReadFrom(strings.NewReader(tc.content), Filter{}, func(*Record) error { return nil })
			var ue *UnreadableError
			if len(tc.bad) == 0 && err != nil || len(tc.bad) > 0 && (!errors.As(err, &ue) || ue.Count != len(tc.bad)) {
				t.Fatalf("ReadFrom: %v, want %d unreadable lines", err, len(tc.bad))
			}
		})
	}
}

// TestUnreadableErrorIsBounded: a log full of garbage gives an error of
// bounded size that still counts every line.
func TestUnreadableErrorIsBounded(t *testing.T) {
	err := ReadFrom(strings.NewReader(strings.Repeat("x\n", 1000)), Filter{}, func(*Record) error { return nil })
	var ue *UnreadableError
	if !errors.As(err, &ue) || ue.Count != 1000 || len(ue.Lines) != maxReported || !strings.Contains(err.Error(), "and 980 more") {
		t.Fatalf("%v", err)
	}
}
