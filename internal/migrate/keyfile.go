package migrate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// RetireKeyFile renames the software root key file at path to
// path+".migrated" (or, if that exists, with a time stamp), so that no
// server starts with it by mistake, and returns the new name. The file
// still opens every backup taken before the migration and anything the
// database files or their backups kept of the old sealed values: destroy
// it securely (shred -u) once new backups are taken.
func RetireKeyFile(path string) (string, error) {
	to := path + ".migrated"
	if _, err := os.Lstat(to); err == nil {
		to = path + ".migrated-" + time.Now().UTC().Format("20060102T150405Z")
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err := os.Rename(path, to); err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return to, nil
}
