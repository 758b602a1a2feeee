package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"

	"golang.org/x/term"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// stdinFD is the terminal the PIN prompt reads; a variable for tests.
var stdinFD = func() int { return int(os.Stdin.Fd()) }

// pinSource returns the function pkcs11.Open calls when the token needs a
// login. Sources, first found wins: --pin-file (or TRENT_PKCS11_PIN_FILE),
// TRENT_PKCS11_PIN, the URI's pin-source, a prompt without echo on the
// terminal. Without a terminal and without a source it fails, saying how
// to give the PIN.
func (t *tokenFlags) pinSource(ctx context.Context, uri *pkcs11.URI, stderr io.Writer) func(pkcs11.TokenInfo) (string, error) {
	return func(tok pkcs11.TokenInfo) (string, error) {
		if t.pinFile != "" {
			return readPINFile(t.pinFile, stderr)
		}
		if p, ok := os.LookupEnv("TRENT_PKCS11_PIN"); ok && p != "" {
			return p, nil
		}
		if uri != nil && uri.PINSource != "" {
			path := uri.PINSource
			if u, err := url.Parse(path); err == nil && u.Scheme == "file" {
				path = u.Path
			}
			return readPINFile(path, stderr)
		}
		fd := stdinFD()
		if !term.IsTerminal(fd) {
			return "", errors.New("the token needs the user PIN and standard input is not a terminal to ask for it: give --pin-file FILE or set TRENT_PKCS11_PIN")
		}
		return promptPIN(ctx, fd, tok, stderr)
	}
}

// readPINFile reads a PIN file (pkcs11.ReadPINFile), warning on stderr
// of one others may read.
func readPINFile(path string, stderr io.Writer) (string, error) {
	return pkcs11.ReadPINFile(path, func(msg string) { fmt.Fprintln(stderr, "trent: warning: "+msg) })
}

// promptPIN asks for the PIN on the terminal without echo.
func promptPIN(ctx context.Context, fd int, tok pkcs11.TokenInfo, stderr io.Writer) (string, error) {
	pin, err := promptSecret(ctx, fd, fmt.Sprintf("Enter the user PIN for token %q in slot %d: ", tok.Label, tok.Slot), "the PIN", stderr)
	if err == nil && pin == "" {
		return "", errors.New("no PIN entered")
	}
	return pin, err
}
