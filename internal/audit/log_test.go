package audit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func testRecord(user string, seq int) *Record {
	return &Record{
		EventTime: time.Now().UTC(), EventSource: SourceKMS, EventName: "Encrypt", RequestID: fmt.Sprint(seq),
		UserIdentity: UserIdentity{Type: "IAMUser", UserName: user},
	}
}

// readAll returns the records of the log at path and its unreadable lines.
func readAll(t *testing.T, path string) ([]*Record, []Unreadable) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []*Record
	var bad []Unreadable
	err = Scan(f, Filter{}, func(r *Record) error { recs = append(recs, r); return nil },
		func(u Unreadable) error { bad = append(bad, u); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return recs, bad
}

// TestWriteReachesTheFileBeforeReturning: a record Write acknowledged is in
// the file (the kernel's page cache, which survives kill -9) without Sync
// or Close.
func TestWriteReachesTheFileBeforeReturning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range 3 {
		r := testRecord("u", i)
		if err := l.Write(r); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if !bytes.Contains(b, []byte(r.EventID)) || !bytes.HasSuffix(b, newline) {
			t.Fatalf("record %d not in the file after Write returned:\n%s", i, b)
		}
	}
	if err := l.Healthy(); err != nil || l.Failures() != 0 {
		t.Fatalf("Healthy %v, Failures %d on a good disk", err, l.Failures())
	}
}

// TestGroupCommit: concurrent writers' records are all there, each whole
// and once, and each writer's in the order it wrote them.
func TestGroupCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 300
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := l.Write(testRecord(fmt.Sprint("w", w), i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	recs, bad := readAll(t, path)
	if len(bad) != 0 || len(recs) != writers*each {
		t.Fatalf("%d records, unreadable %v; want %d", len(recs), bad, writers*each)
	}
	next := map[string]int{}
	for _, r := range recs {
		if want := fmt.Sprint(next[r.UserIdentity.UserName]); r.RequestID != want {
			t.Fatalf("writer %s: record %s where %s was due", r.UserIdentity.UserName, r.RequestID, want)
		}
		next[r.UserIdentity.UserName]++
	}
}

// TestOpenTerminatesTornLine: a last line without its newline is ended,
// so the next record starts a line of its own, and reads as one
// unreadable line; nothing is removed.
func TestOpenTerminatesTornLine(t *testing.T) {
	whole := string(testRecord("old", 0).appendJSON(nil)) + "\n"
	whole = strings.Replace(whole, `"eventID":""`, `"eventID":"e0"`, 1)
	for _, tc := range []struct {
		name, content string
		repaired      int64
		records       int // before the new one
		badLine       int // 0: none
	}{
		{"new file", "", 0, 0, 0},
		{"clean", whole + whole, 0, 2, 0},
		{"torn record", whole + `{"eventVersion":"1.08","userI`, 29, 1, 2},
		{"only a fragment", `{"event`, 7, 0, 1},
		{"zeros after power loss", whole + "\x00\x00\x00\x00", 4, 1, 2},
		{"torn but complete JSON", strings.TrimSuffix(whole, "\n"), int64(len(whole) - 1), 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			if tc.content != "" {
				os.WriteFile(path, []byte(tc.content), 0o600)
			}
			l, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if l.Repaired() != tc.repaired {
				t.Fatalf("Repaired() = %d, want %d", l.Repaired(), tc.repaired)
			}
			if err := l.Healthy(); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte(tc.content)) {
				t.Fatalf("open changed the log's bytes:\n%q", b)
			}
			r := testRecord("new", 1)
			if err := l.Write(r); err != nil {
				t.Fatal(err)
			}
			l.Close()
			recs, bad := readAll(t, path)
			if len(recs) != tc.records+1 || recs[len(recs)-1].EventID != r.EventID {
				t.Fatalf("got %d records (last %+v), want %d and the new one last", len(recs), recs[len(recs)-1], tc.records+1)
			}
			switch {
			case tc.badLine == 0 && len(bad) != 0:
				t.Fatalf("unexpected unreadable lines %v", bad)
			case tc.badLine != 0 && (len(bad) != 1 || bad[0].Line != tc.badLine || bad[0].Unterminated):
				t.Fatalf("unreadable %v, want the terminated line %d", bad, tc.badLine)
			}
		})
	}
}

func TestClosed(t *testing.T) {
	l, err := Open(filepath.Join(t.TempDir(), "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(testRecord("u", 0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
	if err := l.Healthy(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Healthy after Close: %v", err)
	}
}

// BenchmarkWrite is the cost a request pays for its record: encoding and
// one write(2), alone or batched with concurrent writers.
func BenchmarkWrite(b *testing.B) {
	for _, tc := range []struct {
		name     string
		parallel bool
	}{{"serial", false}, {"parallel", true}} {
		b.Run(tc.name, func(b *testing.B) {
			l, err := Open(filepath.Join(b.TempDir(), "audit.log"))
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			r := testRecord("bench", 0)
			b.ReportAllocs()
			if !tc.parallel {
				for b.Loop() {
					r.EventID = ""
					if err := l.Write(r); err != nil {
						b.Fatal(err)
					}
				}
				return
			}
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				r := testRecord("bench", 0)
				for pb.Next() {
					r.EventID = ""
					if err := l.Write(r); err != nil {
						b.Fatal(err)
					}
					_ = l.Healthy()
				}
			})
		})
	}
}
