//go:build !unix

package datadir

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("would block")

// flock does nothing where flock(2) does not exist: the data dir is not
// guarded there.
func flock(*os.File) error { return nil }
