package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// confirmAsker is how a command confirms a bare handle nobody confirmed
// with a label or id: on a terminal, a question that a "yes" answers;
// without a terminal, nil, so that pkcs11.FindConfirmed refuses (a script
// must not act on whatever object a handle names in this session).
func confirmAsker(stderr io.Writer, verb string) func(string) error {
	if !term.IsTerminal(stdinFD()) {
		return nil
	}
	return func(what string) error {
		fmt.Fprintf(stderr, "%s %s? [y/N] ", verb, what)
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return nil
		}
		return errors.New("not confirmed: nothing was done")
	}
}

// confirmHint adds to a refused bare handle how this command confirms it.
func confirmHint(err error, how string) error {
	var u *pkcs11.UnconfirmedError
	if errors.As(err, &u) {
		return fmt.Errorf("%w: %s", err, how)
	}
	return err
}

// findObject finds the object a flag names, confirmed by label and id
// when they are given, or by a question on the terminal for a bare
// handle; how says how the command's flags confirm it.
func (h *hsmRun) findObject(flagName, sel, class string, label *string, id []byte, verb, how string) (pkcs11.Object, error) {
	if sel == "" {
		return pkcs11.Object{}, usagef("--%s is required: label:NAME, id:HEX or a pkcs11: URI (list objects with trent hsm objects)", flagName)
	}
	r, err := pkcs11.ParseObjectRef(sel)
	if err != nil {
		return pkcs11.Object{}, usagef("--%s: %v", flagName, err)
	}
	o, err := h.tok.FindConfirmed(r, class, pkcs11.Confirm{Label: label, ID: id, Ask: confirmAsker(h.stderr, verb)})
	if err != nil {
		return o, fmt.Errorf("--%s %q: %w", flagName, sel, confirmHint(err, how))
	}
	return o, nil
}
