package audit

import "sync"

// Encoded records are garbage as soon as write(2) has them: their buffers
// are pooled, so that auditing every request does not cost a kilobyte of
// allocation (and its garbage collection) per request.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooled bounds the buffers kept: a batch of many records, or one huge
// record, is left to the garbage collector rather than held forever.
const maxPooled = 64 << 10

func getBuffer() []byte { return (*buffers.Get().(*[]byte))[:0] }

func putBuffer(b []byte) {
	if cap(b) > maxPooled {
		return
	}
	b = b[:0]
	buffers.Put(&b)
}
