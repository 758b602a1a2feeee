package audit

import (
	"errors"
	"os"
	"syscall"
)

// fallocKeepSize is FALLOC_FL_KEEP_SIZE: allocate without changing the
// file's size, so readers see nothing.
const fallocKeepSize = 1

// reserve asks the file system for n bytes beyond the end of f. The blocks
// stay allocated and the next appends use them. A file system without
// fallocate cannot tell, so the answer is yes and the next Write finds
// out.
func reserve(f *os.File, n int64) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Fallocate(int(fd), fallocKeepSize, fi.Size(), n)
			if ferr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if errors.Is(ferr, syscall.EOPNOTSUPP) || errors.Is(ferr, syscall.ENOSYS) {
		return nil
	}
	return ferr
}
