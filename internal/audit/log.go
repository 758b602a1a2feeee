package audit

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// FlushInterval is how often buffered records reach the disk.
const FlushInterval = 100 * time.Millisecond

// Log appends records to a file. It is safe for concurrent use; records
// appear in the order Write was called.
type Log struct {
	mu     sync.Mutex
	f      *os.File
	w      *bufio.Writer
	dirty  bool
	err    error // first write or sync error, reported by later calls
	done   chan struct{}
	closed sync.WaitGroup
}

// Open opens (creating, mode 0600) the log at path for appending and starts
// its flush loop.
func Open(path string) (*Log, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	l := &Log{f: f, w: bufio.NewWriterSize(f, 64<<10), done: make(chan struct{})}
	l.closed.Add(1)
	go l.flushLoop()
	return l, nil
}

// Write fills in the record's defaults (event ID, version, readOnly) and
// appends it. It returns an error only if the log can no longer be written;
// the caller should then log loudly, since an audit gap is a security event.
func (l *Log) Write(r *Record) error {
	if r.EventID == "" {
		r.EventID = newEventID()
	}
	if r.EventVersion == "" {
		r.EventVersion = eventVersion
	}
	if r.EventType == "" {
		r.EventType = EventTypeAPICall
	}
	for _, p := range readOnlyPrefixes {
		if strings.HasPrefix(r.EventName, p) {
			r.ReadOnly = true
		}
	}
	line := append(r.appendJSON(make([]byte, 0, 1024)), '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	if _, err := l.w.Write(line); err != nil {
		l.err = err
		return err
	}
	l.dirty = true
	return nil
}

// Sync writes buffered records to the file and fsyncs it.
func (l *Log) Sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.syncLocked()
}

func (l *Log) syncLocked() error {
	if l.err != nil || !l.dirty {
		return l.err
	}
	if err := l.w.Flush(); err != nil {
		l.err = err
		return err
	}
	if err := l.f.Sync(); err != nil {
		l.err = err
		return err
	}
	l.dirty = false
	return nil
}

func (l *Log) flushLoop() {
	defer l.closed.Done()
	t := time.NewTicker(FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
			l.Sync()
		}
	}
}

// Close flushes, fsyncs and closes the log.
func (l *Log) Close() error {
	close(l.done)
	l.closed.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.syncLocked()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// newEventID returns a random UUID (version 4) string.
func newEventID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
