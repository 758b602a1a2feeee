package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/term"
)

// promptSecret writes prompt to stderr and reads a line from the terminal
// fd without echo; what names the secret in errors ("the PIN"). An
// interrupt (ctx done, e.g. Ctrl-C) ends the prompt and puts the terminal
// back as it was. The bytes read are wiped once copied into the string.
func promptSecret(ctx context.Context, fd int, prompt, what string, stderr io.Writer) (string, error) {
	fmt.Fprint(stderr, prompt)
	state, _ := term.GetState(fd)
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		ch <- result{b, err}
	}()
	select {
	case r := <-ch:
		fmt.Fprintln(stderr)
		defer clear(r.b)
		if r.err != nil {
			return "", fmt.Errorf("reading %s: %w", what, r.err)
		}
		return string(r.b), nil
	case <-ctx.Done():
		if state != nil {
			_ = term.Restore(fd, state)
		}
		fmt.Fprintln(stderr)
		return "", errors.New("interrupted")
	}
}
