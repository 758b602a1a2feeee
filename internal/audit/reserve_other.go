//go:build !linux

package audit

import "os"

// reserve cannot ask the file system for room here, so the answer is yes
// and the next Write finds out.
func reserve(*os.File, int64) error { return nil }
