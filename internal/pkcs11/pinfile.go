package pkcs11

import (
	"fmt"
	"os"
	"strings"
)

// ReadPINFile reads a PIN file: its first line, without the line end. A
// file others may read is refused nothing but reported to warn (if not
// nil), which says how to fix it. Errors never hold the PIN; the bytes read
// are wiped once the PIN is copied out.
func ReadPINFile(path string, warn func(msg string)) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("PIN file: %w", err)
	}
	defer clear(b)
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 && warn != nil {
		warn(fmt.Sprintf("the PIN file %s can be read by others (mode %04o); chmod 600 it", path, fi.Mode().Perm()))
	}
	pin, _, _ := strings.Cut(string(b), "\n")
	pin = strings.TrimSuffix(pin, "\r")
	if pin == "" {
		return "", fmt.Errorf("PIN file %s is empty", path)
	}
	return pin, nil
}
