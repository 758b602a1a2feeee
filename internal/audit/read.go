package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
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
// order. Lines that are not records do not stop it; if there were any, it
// returns an *UnreadableError once all records have been passed to fn.
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
	var bad UnreadableError
	err := Scan(r, f, fn, func(u Unreadable) error {
		if bad.Count++; len(bad.Lines) < maxReported {
			bad.Lines = append(bad.Lines, u)
		}
		return nil
	})
	if err == nil && bad.Count > 0 {
		return &bad
	}
	return err
}

// Scan calls fn for every record of r that f matches and unreadable for
// every line that is not a record, in order. An error from either stops
// the scan and is returned.
func Scan(r io.Reader, f Filter, fn func(*Record) error, unreadable func(Unreadable) error) error {
	lr := lineReader{br: bufio.NewReaderSize(r, 64<<10)}
	for n := 1; ; n++ {
		off := lr.off
		line, size, err := lr.next()
		if size == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("audit: %w", err)
		}
		rec, perr := parseRecord(line)
		switch {
		case perr != nil:
			u := Unreadable{Line: n, Offset: off, Size: size, Unterminated: err == io.EOF, Err: perr}
			if uerr := unreadable(u); uerr != nil {
				return uerr
			}
		case f.Match(rec):
			if ferr := fn(rec); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// maxLine bounds the line kept in memory; a record is a few KB at most.
const maxLine = 4 << 20

var errTooLong = errors.New("longer than any record")

// parseRecord decodes one line. Records always have an eventID, so JSON
// that lacks one is not a record either.
func parseRecord(line []byte) (*Record, error) {
	if line == nil {
		return nil, errTooLong
	}
	var rec Record
	if err := json.Unmarshal(line, &rec); err != nil {
		return nil, err
	}
	if rec.EventID == "" {
		return nil, errors.New("JSON without an eventID")
	}
	return &rec, nil
}

// lineReader reads lines of any length, keeping at most maxLine bytes.
type lineReader struct {
	br   *bufio.Reader
	buf  []byte
	off  int64
	long bool
}

// next returns the next line without its newline (nil if longer than
// maxLine) and its size in the file with the newline. err is io.EOF for
// a last line without a newline, and when there is no line (size 0).
func (lr *lineReader) next() (line []byte, size int64, err error) {
	lr.buf, lr.long = lr.buf[:0], false
	for {
		frag, err := lr.br.ReadSlice('\n')
		size += int64(len(frag))
		if !lr.long && len(lr.buf)+len(frag) <= maxLine+1 {
			lr.buf = append(lr.buf, frag...)
		} else {
			lr.long = true
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		lr.off += size
		if lr.long {
			return nil, size, err
		}
		if err == nil {
			return lr.buf[:len(lr.buf)-1], size, nil
		}
		return lr.buf, size, err
	}
}

// maxReported bounds the lines an UnreadableError lists.
const maxReported = 20

// Unreadable is a line of a log that is not a record: a write torn by a
// crash (Trent terminates such a line when it next opens the log, so it
// stays visible rather than swallowing the next record), zeros a power
// loss left, or a line that was edited or damaged.
type Unreadable struct {
	Line         int   // 1-based line number
	Offset       int64 // of the line's first byte
	Size         int64 // bytes, with the newline
	Unterminated bool  // the last line, without a newline: still being written, or torn by a crash
	Err          error // why it is not a record
}

func (u Unreadable) String() string {
	what := "not an audit record"
	if u.Unterminated {
		what = "incomplete last line (a write in progress, or torn by a crash)"
	}
	return fmt.Sprintf("line %d (byte %d, %d bytes): %s: %v", u.Line, u.Offset, u.Size, what, u.Err)
}

// UnreadableError is returned by Read when some lines of the log are not
// records. Every record was still read.
type UnreadableError struct {
	Count int          // lines that are not records
	Lines []Unreadable // the first of them, at most maxReported
}

func (e *UnreadableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "audit: %d line(s) of the log are not records", e.Count)
	for _, u := range e.Lines {
		b.WriteString("; ")
		b.WriteString(u.String())
	}
	if e.Count > len(e.Lines) {
		fmt.Fprintf(&b, "; and %d more", e.Count-len(e.Lines))
	}
	return b.String()
}
