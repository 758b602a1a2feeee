// trent admin root-password: the account root's console password.

package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/trent-kms/trent/internal/datadir"
	"github.com/trent-kms/trent/internal/login"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/postgres"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

const rootPasswordUsage = `Usage: trent admin root-password [--data-dir DIR | --database-url URL] [--password-stdin]

Sets the account root's console password, creating or replacing it, in the store: the data dir's
trent.db (no server may hold the data dir meanwhile) or the PostgreSQL store (nodes see it at once).
The password is read from the terminal, twice, without echo; with --password-stdin, from the first
line of standard input. It must meet AWS's default password policy: 8 to 128 characters, of at least
three of upper case, lower case, digits and the symbols ` + login.Symbols + `, and not the account ID.
Only its argon2id hash is stored.
`

// passwordStdin is what --password-stdin reads; a variable for tests.
var passwordStdin io.Reader = os.Stdin

// runRootPassword implements `trent admin root-password`.
func runRootPassword(args []string, stdout, stderr io.Writer) int {
	const prefix = "trent admin root-password"
	fs := flag.NewFlagSet(prefix, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), rootPasswordUsage, "\nFlags:\n"); fs.PrintDefaults() }
	dataDir := fs.String("data-dir", env("TRENT_DATA_DIR", DefaultDataDir), "the data dir, whose trent.db holds the store unless --database-url (env TRENT_DATA_DIR)")
	dbURL := fs.String("database-url", env("TRENT_DATABASE_URL", ""), "PostgreSQL store (env TRENT_DATABASE_URL); default: the data dir's trent.db")
	accountID := fs.String("account-id", env("TRENT_ACCOUNT_ID", DefaultAccountID), "the server's account ID, which the password may not be (env TRENT_ACCOUNT_ID)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (the password is never an argument: it would show in ps and the shell history)\n", prefix, fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pw, err := readRootPassword(ctx, *fromStdin, stderr)
	if err == nil {
		var perr *login.PolicyError
		if errors.As(login.DefaultPolicy.Check(pw, *accountID), &perr) {
			err = fmt.Errorf("the password does not meet the password policy: it %s", strings.Join(perr.Reasons, "; it "))
		}
	}
	if err == nil {
		var replaced bool
		if replaced, err = setRootPassword(ctx, *dataDir, *dbURL, login.Hash(pw), time.Now()); err == nil {
			what := "set"
			if replaced {
				what = "replaced"
			}
			fmt.Fprintf(stdout, "the account root's console password is %s\n", what)
			return 0
		}
	}
	fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
	return 1
}

// readRootPassword reads the password: the first line of passwordStdin,
// or twice from the terminal without echo.
func readRootPassword(ctx context.Context, fromStdin bool, stderr io.Writer) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(passwordStdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading standard input: %w", err)
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			return "", errors.New("no password on standard input")
		}
		return line, nil
	}
	fd := stdinFD()
	if !term.IsTerminal(fd) {
		return "", errors.New("standard input is not a terminal to ask for the password: give --password-stdin")
	}
	pw, err := promptSecret(ctx, fd, "New console password for the account root: ", "the password", stderr)
	if err != nil {
		return "", err
	}
	again, err := promptSecret(ctx, fd, "Retype it: ", "the password", stderr)
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("the two passwords differ")
	}
	return pw, nil
}

// setRootPassword stores hash as the root's password, creating its login
// profile or replacing the password of the one there (which clears
// PasswordResetRequired). It reports whether it replaced one.
func setRootPassword(ctx context.Context, dataDir, dbURL, hash string, now time.Time) (bool, error) {
	var st store.Store
	var err error
	if dbURL != "" {
		// Nodes share the store and read profiles from it at each
		// sign-in: no lock to take, and nothing to restart.
		if st, err = postgres.Open(ctx, dbURL); err != nil {
			return false, err
		}
	} else {
		dbFile := filepath.Join(dataDir, databaseFileName)
		if _, err := os.Stat(dbFile); err != nil {
			return false, fmt.Errorf("no database in the data dir (start the server once to create it): %w", err)
		}
		// As migrate-root-key: the server owns its data dir while it runs.
		lock, err := datadir.Lock(dataDir)
		if err != nil {
			return false, err
		}
		defer lock.Close()
		if st, err = sqlite.Open(dbFile); err != nil {
			return false, err
		}
	}
	defer st.Close()
	now = now.UTC()
	for attempt := 0; ; attempt++ {
		_, err := st.UpdateLoginProfile(ctx, "", func(p *store.LoginProfile) error {
			p.PasswordHash, p.PasswordChangedAt, p.PasswordResetRequired = hash, now, false
			return nil
		})
		if !errors.Is(err, store.ErrNotFound) {
			return err == nil, err
		}
		err = st.CreateLoginProfile(ctx, store.LoginProfile{PasswordHash: hash, CreatedAt: now, PasswordChangedAt: now})
		if !errors.Is(err, store.ErrExists) || attempt > 0 {
			return false, err
		}
		// Created meanwhile by another run: replace that one.
	}
}
