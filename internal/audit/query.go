package audit

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"
)

// Query asks ReadNewest for the newest records of a log.
type Query struct {
	// Match selects records; nil matches every record.
	Match func(*Record) bool
	// Limit is how many records to return at most (100 if zero or less).
	Limit int
	// Since stops the scan at records older than Since (less a minute of
	// slack, since group commit may write records slightly out of time
	// order): the log is in time order, so nothing older can follow.
	Since time.Time
	// MaxScan bounds the bytes read back from the end of the log
	// (DefaultMaxScan if zero or less), so that a query that matches
	// little cannot read a log of many gigabytes on every page view.
	MaxScan int64
}

// DefaultMaxScan is the part of the log a Query reads at most by default:
// some hundred thousand records.
const DefaultMaxScan = 256 << 20

// QueryResult is what ReadNewest found.
type QueryResult struct {
	Records []*Record // newest first
	// Exhausted reports that the scan stopped at MaxScan before reaching
	// the start of the log (or Since): older matches may exist.
	Exhausted bool
}

// chunk is the size of the blocks the log is read backwards in.
const chunk = 256 << 10

// ReadNewest returns the newest records of the log at path that q
// matches, newest first, reading the file backwards from its end. Lines
// that are not records (a write in progress, a torn line) are skipped:
// this is a viewer, and `trent audit` is the tool that reports them.
func ReadNewest(path string, q Query) (QueryResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return QueryResult{}, fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return QueryResult{}, fmt.Errorf("audit: %w", err)
	}
	return readNewest(f, st.Size(), q)
}

// readNewest is ReadNewest over the first size bytes of r.
func readNewest(r io.ReaderAt, size int64, q Query) (QueryResult, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	if q.MaxScan <= 0 {
		q.MaxScan = DefaultMaxScan
	}
	var stopAt time.Time
	if !q.Since.IsZero() {
		stopAt = q.Since.Add(-time.Minute)
	}
	var res QueryResult
	done := false
	// take handles one line, setting done once the scan is over.
	take := func(line []byte) {
		if done || len(bytes.TrimSpace(line)) == 0 {
			return
		}
		rec, err := parseRecord(line)
		if err != nil {
			return
		}
		if !stopAt.IsZero() && rec.EventTime.Before(stopAt) {
			done = true
			return
		}
		if q.Match == nil || q.Match(rec) {
			res.Records = append(res.Records, rec)
			done = len(res.Records) >= q.Limit
		}
	}
	pos := size
	var carry []byte // the end of a line whose start is before pos
	for pos > 0 && !done {
		if size-pos >= q.MaxScan {
			res.Exhausted = true
			return res, nil
		}
		n := min(int64(chunk), pos)
		pos -= n
		buf := make([]byte, n, int(n)+len(carry))
		if _, err := r.ReadAt(buf, pos); err != nil && err != io.EOF {
			return res, fmt.Errorf("audit: %w", err)
		}
		data := append(buf, carry...)
		end := len(data)
		for !done {
			i := bytes.LastIndexByte(data[:end], '\n')
			if i < 0 {
				break
			}
			take(data[i+1 : end])
			end = i
		}
		carry = data[:end]
		if len(carry) > maxLine {
			// Longer than any record: its start, when read, fails to
			// parse and is skipped like any other torn line.
			carry = nil
		}
	}
	if pos == 0 && !done {
		take(carry)
	}
	return res, nil
}
