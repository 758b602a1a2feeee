package audit

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FlushInterval is how often records handed to the kernel are fsynced.
const FlushInterval = 100 * time.Millisecond

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("audit: log closed")

// Options tune OpenWith.
type Options struct {
	// Logger, if set, is told about a torn line repaired at open, and when
	// the log starts failing and recovers. Nil discards.
	Logger *slog.Logger
}

// Log appends records to a file. It is safe for concurrent use; records
// appear in the order their Writes were committed. See the package
// documentation (Durability, Failure) for what Write and Healthy promise.
type Log struct {
	log *slog.Logger

	// Group commit: writers append their line to cur and wait; whoever
	// finds no leader becomes it, takes cur and writes it with one
	// write(2) while the next batch fills.
	mu      sync.Mutex
	cond    sync.Cond
	cur     *batch
	writing bool // a leader is writing a batch
	closed  bool

	// ioMu serialises changes to the file's contents and to torn: the
	// leader's write, a recovery probe, Close. fsync does not take it, so
	// requests never wait for an fsync.
	ioMu sync.Mutex
	f    *os.File
	torn bool // the file does not end with '\n': terminate it before the next record

	repaired  int64
	dirty     atomic.Bool             // written since the last fsync
	writeErr  atomic.Pointer[failure] // the last write failed
	syncErr   atomic.Pointer[failure] // the last fsync failed
	failures  atomic.Uint64
	lastProbe atomic.Int64 // UnixNano of the last recovery probe
	isClosed  atomic.Bool

	done     chan struct{}
	loopDone sync.WaitGroup
}

// batch is the records one write(2) commits.
type batch struct {
	buf  []byte
	n    int // records in buf
	done bool
	err  error
}

// Open is OpenWith without options.
func Open(path string) (*Log, error) { return OpenWith(path, Options{}) }

// OpenWith opens (creating, mode 0600) the log at path for appending and
// starts its fsync loop. If the file ends in a line without its newline —
// a write torn by a crash — that line is terminated, not removed (see
// Repaired). A log that cannot be written at once (a full disk) still
// opens, unhealthy; only a file that cannot be opened or read is an error.
func OpenWith(path string, o Options) (*Log, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	torn, err := tornTail(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: %w", err)
	}
	l := &Log{log: o.Logger, f: f, cur: &batch{}, done: make(chan struct{}), repaired: torn, torn: torn > 0}
	if l.log == nil {
		l.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	l.cond.L = &l.mu
	if torn > 0 {
		l.log.Warn("audit log ended in a line torn by a crash; terminated it so that it reads as one unreadable line (trent audit reports it)",
			"path", path, "bytes", torn)
		l.commit(nil, 0)
	}
	l.loopDone.Add(1)
	go l.syncLoop()
	return l, nil
}

// Repaired is the length in bytes of the torn last line that Open found
// and terminated, 0 if the file ended cleanly.
func (l *Log) Repaired() int64 { return l.repaired }

// Write fills in the record's defaults (event ID, version, type, readOnly)
// and appends it. It returns nil only once the record has been handed to
// the kernel with write(2), so a kill -9 of Trent cannot lose it; fsync
// follows within FlushInterval. A non-nil error means the record is not in
// the log (it may, rarely, be there but whole; never torn). Errors are not
// sticky: every Write tries the file again.
func (l *Log) Write(r *Record) error {
	r.fillDefaults()
	line := append(r.appendJSON(getBuffer()), '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		putBuffer(line)
		return ErrClosed
	}
	b := l.cur
	if b.n == 0 {
		b.buf = line
	} else {
		b.buf = append(b.buf, line...)
		putBuffer(line)
	}
	b.n++
	for !b.done {
		if l.writing {
			l.cond.Wait()
			continue
		}
		// b is still l.cur: a batch leaves cur only with a leader.
		l.writing = true
		l.cur = &batch{}
		l.mu.Unlock()
		err := l.commit(b.buf, b.n)
		putBuffer(b.buf) // the kernel has the bytes; no one reads buf again
		b.buf = nil
		l.mu.Lock()
		b.err, b.done = err, true
		l.writing = false
		l.cond.Broadcast()
	}
	return b.err
}

func (r *Record) fillDefaults() {
	if r.EventID == "" {
		r.EventID = NewEventID()
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
}

// Close waits for the records being written, fsyncs and closes the log.
// Later Writes return ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closed = true
	l.isClosed.Store(true)
	for l.writing || l.cur.n > 0 {
		l.cond.Wait()
	}
	l.mu.Unlock()
	close(l.done)
	l.loopDone.Wait()
	l.ioMu.Lock()
	defer l.ioMu.Unlock()
	err := l.f.Sync()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// NewEventID returns a fresh event ID: a random UUID (version 4) string,
// what Write gives a record that has none.
func NewEventID() string {
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
