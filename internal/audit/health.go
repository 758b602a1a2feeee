package audit

import (
	"fmt"
	"sync/atomic"
	"time"
)

// ProbeInterval is how often Healthy, while the log is failing, tries
// whether it could write again.
const ProbeInterval = time.Second

// probeBytes is the room a recovery probe asks the file system for: some
// hundred records, so that a disk with a few bytes free is not taken for
// a writable one.
const probeBytes = 64 << 10

// failure is the error of the last failed write or fsync.
type failure struct{ err error }

// Healthy returns nil if the last write and the last fsync of the log
// succeeded, and otherwise the error of the failed one. It is cheap (two
// atomic loads) and meant to be called for every request and by the
// readiness check. While failing, at most once per ProbeInterval it also
// probes, in the caller's goroutine, whether the log could be written
// again — asking the file system for room for some hundred records
// (fallocate beyond the end of the file, which keeps its size), or
// repeating the failed fsync — and reports healthy again if so, so that
// readiness returns without traffic. After Close it returns ErrClosed.
func (l *Log) Healthy() error {
	if l.isClosed.Load() {
		return ErrClosed
	}
	we, se := l.writeErr.Load(), l.syncErr.Load()
	if we == nil && se == nil {
		return nil
	}
	if l.probeDue() {
		l.probe(we, se)
		we, se = l.writeErr.Load(), l.syncErr.Load()
	}
	switch {
	case we != nil:
		return we.err
	case se != nil:
		return se.err
	}
	return nil
}

// Failures is the number of records that could not be written since Open.
// It only grows.
func (l *Log) Failures() uint64 { return l.failures.Load() }

func (l *Log) probeDue() bool {
	now := time.Now().UnixNano()
	last := l.lastProbe.Load()
	return now-last >= int64(ProbeInterval) && l.lastProbe.CompareAndSwap(last, now)
}

func (l *Log) probe(we, se *failure) {
	if we != nil {
		l.ioMu.Lock()
		err := l.writeLocked(nil) // ends a torn line, if any
		if err == nil {
			err = reserve(l.f, probeBytes)
		}
		l.ioMu.Unlock()
		if err == nil {
			l.clearFailure(&l.writeErr, we)
		}
	}
	if se != nil {
		l.Sync()
	}
}

// Sync fsyncs the records written so far. The log does this by itself
// every FlushInterval and on Close.
func (l *Log) Sync() error {
	if err := l.f.Sync(); err != nil {
		l.dirty.Store(true)
		err = fmt.Errorf("audit: fsync: %w", err)
		l.setFailure(&l.syncErr, err)
		return err
	}
	l.clearFailure(&l.syncErr, l.syncErr.Load())
	return nil
}

func (l *Log) syncLoop() {
	defer l.loopDone.Done()
	t := time.NewTicker(FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
			if l.dirty.Swap(false) {
				l.Sync()
			}
		}
	}
}

func (l *Log) setFailure(p *atomic.Pointer[failure], err error) {
	if p.Swap(&failure{err}) == nil {
		l.log.Error("AUDIT LOG FAILING: records cannot be recorded", "err", err, "failedRecords", l.failures.Load())
	}
}

// clearFailure clears *p if it still holds old, the failure the caller saw
// before succeeding; a failure that came since stays.
func (l *Log) clearFailure(p *atomic.Pointer[failure], old *failure) {
	if old != nil && p.CompareAndSwap(old, nil) {
		l.log.Warn("audit log recovered: recording again", "failedRecords", l.failures.Load())
	}
}
