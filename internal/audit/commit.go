package audit

import (
	"bytes"
	"fmt"
	"os"
)

var newline = []byte{'\n'}

// commit writes buf, n whole records, with one write(2) and records the
// outcome for Healthy and Failures.
func (l *Log) commit(buf []byte, n int) error {
	l.ioMu.Lock()
	err := l.writeLocked(buf)
	l.ioMu.Unlock()
	if err != nil {
		l.failures.Add(uint64(n))
		l.setFailure(&l.writeErr, err)
		return err
	}
	if len(buf) > 0 {
		l.dirty.Store(true)
	}
	l.clearFailure(&l.writeErr, l.writeErr.Load())
	return nil
}

// writeLocked appends buf. os.File.Write repeats write(2) until all of buf
// is written or one fails, so an error can come after part of buf is in
// the file (ENOSPC in the middle of a line): that part is taken back, or,
// failing that, the next write first ends the torn line, so that a later
// record never joins it.
func (l *Log) writeLocked(buf []byte) error {
	if l.torn {
		if _, err := l.f.Write(newline); err != nil {
			return fmt.Errorf("audit: terminating a torn line: %w", err)
		}
		l.torn = false
	}
	if len(buf) == 0 {
		return nil
	}
	n, err := l.f.Write(buf)
	if err == nil {
		return nil
	}
	if n > 0 {
		l.undo(buf[:n])
	}
	return fmt.Errorf("audit: %w", err)
}

// undo truncates away written, the bytes a failed write left at the end of
// the file. Truncation frees space, so it works on a full disk; if it
// fails anyway, the torn line is terminated before the next record. Only
// bytes this Log has just written are ever removed.
func (l *Log) undo(written []byte) {
	fi, err := l.f.Stat()
	if err == nil {
		if size := fi.Size(); size >= int64(len(written)) {
			err = l.f.Truncate(size - int64(len(written)))
		} else {
			err = fmt.Errorf("file is %d bytes, shorter than the %d just written", size, len(written))
		}
	}
	if err != nil {
		l.torn = written[len(written)-1] != '\n'
		l.log.Error("audit: could not take back a partly written batch; it stays in the log", "err", err, "bytes", len(written))
	}
}

// tornTail returns the length of the file's last line if it lacks its
// newline (a write torn by a crash, or zeros a power loss left), and 0 if
// the file is empty or ends with '\n'. It reads backwards from the end in
// blocks, so a clean file costs one small read.
func tornTail(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	buf := make([]byte, 4096)
	for end := size; end > 0; {
		n := min(end, int64(len(buf)))
		off := end - n
		if _, err := f.ReadAt(buf[:n], off); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return size - (off + int64(i) + 1), nil
		}
		end = off
	}
	return size, nil
}
