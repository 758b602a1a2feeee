package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// Filter selects records; zero fields match everything.
type Filter struct {
	EventName string
	User      string // matches UserIdentity.UserName or ARN
	KeyARN    string // matches a resource ARN
	Since     time.Time
	Until     time.Time
	ErrorOnly bool
}

// Match reports whether r passes f.
func (f *Filter) Match(r *Record) bool {
	switch {
	case f.EventName != "" && r.EventName != f.EventName:
		return false
	case f.User != "" && r.UserIdentity.UserName != f.User && r.UserIdentity.ARN != f.User:
		return false
	case !f.Since.IsZero() && r.EventTime.Before(f.Since):
		return false
	case !f.Until.IsZero() && !r.EventTime.Before(f.Until):
		return false
	case f.ErrorOnly && r.ErrorCode == "":
		return false
	}
	if f.KeyARN == "" {
		return true
	}
	for _, res := range r.Resources {
		if res.ARN == f.KeyARN {
			return true
		}
	}
	return false
}

// Read calls fn for every record of the log at path that f matches, in
// order. A torn last line (a crash in the middle of a write) is skipped.
func Read(path string, f Filter, fn func(*Record) error) error {
	file, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	defer file.Close()
	return ReadFrom(file, f, fn)
}

// ReadFrom is Read over any reader.
func ReadFrom(r io.Reader, f Filter, fn func(*Record) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			continue // torn or foreign line: not ours to interpret
		}
		if f.Match(&rec) {
			if err := fn(&rec); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}
