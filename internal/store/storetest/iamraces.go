package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// raceRounds is how many times each IAM race is run.
const raceRounds = 10

// race runs every fn at once, released together from a barrier, and
// returns their errors in order.
func race(fns ...func() error) []error {
	errs := make([]error, len(fns))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() {
			<-start
			errs[i] = fn()
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts nil errors and errors wrapping want; any other error fails t.
func tally(t *testing.T, what string, errs []error, want error) (won, lost int) {
	t.Helper()
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, want):
			lost++
		default:
			t.Errorf("%s: %v, want nil or %v", what, err, want)
		}
	}
	return won, lost
}

// RunShared runs the races of the IAM rules on two Stores sharing one
// database, as two nodes (or processes) would: the racers alternate
// between a and b. open must return two fresh Stores on one new, empty
// database and register their cleanup on t.
func RunShared(t *testing.T, open func(t *testing.T) (a, b store.Store)) {
	t.Run("IAMRaces", func(t *testing.T) { testIAMRaces(t, open) })
	t.Run("OwnerRaces", func(t *testing.T) { testOwnerRaces(t, open) })
}

// same returns open as a pair of one Store.
func same(open func(t *testing.T) store.Store) func(t *testing.T) (store.Store, store.Store) {
	return func(t *testing.T) (store.Store, store.Store) {
		s := open(t)
		return s, s
	}
}

// testIAMRaces checks the IAM rules under calls racing from a barrier:
// each round, exactly the calls the rule allows succeed. Racer i uses
// stores[i%2].
func testIAMRaces(t *testing.T, open func(t *testing.T) (a, b store.Store)) {
	t.Run("UserNameCase", func(t *testing.T) {
		a, b := open(t)
		s, stores := a, []store.Store{a, b}
		for r := range raceRounds {
			base := fmt.Sprintf("caseuser%d", r)
			variants := []string{base, strings.ToUpper(base), "C" + base[1:], "cASEUSER" + base[8:]}
			fns := make([]func() error, len(variants))
			for i, name := range variants {
				u := user(name)
				u.UserID = fmt.Sprintf("AIDACASE%03d%09d", r, i)
				fns[i] = func() error { return stores[i%2].CreateUser(t.Context(), u) }
			}
			if won, _ := tally(t, "CreateUser", race(fns...), store.ErrExists); won != 1 {
				t.Errorf("round %d: %d of %q created, want exactly one", r, won, variants)
			}
		}
		users, err := s.ListUsers(t.Context(), "", 100)
		checkErr(t, "ListUsers", err, nil)
		if len(users) != raceRounds {
			t.Errorf("%d users after %d rounds, want one per round: %q", len(users), raceRounds, userNames(users))
		}
	})

	t.Run("CredentialLimit", func(t *testing.T) {
		a, b := open(t)
		s, stores := a, []store.Store{a, b}
		for r := range raceRounds {
			u := user(fmt.Sprintf("limited%d", r))
			mustCreateUser(t, s, u)
			checkErr(t, "first CreateCredential", s.CreateCredential(t.Context(), newCred(fmt.Sprintf("AKIAFIRST%011d", r), &u), keyLimit), nil)
			// One place left; every racer but one must find it taken.
			var fns []func() error
			for i := range 4 {
				fns = append(fns, func() error {
					return stores[i%2].CreateCredential(t.Context(), newCred(fmt.Sprintf("AKIARACE%03d%09d", r, i), &u), keyLimit)
				})
			}
			if won, _ := tally(t, "CreateCredential", race(fns...), store.ErrLimitExceeded); won != 1 {
				t.Errorf("round %d: %d of 4 concurrent credentials created with one place left, want exactly one", r, won)
			}
			creds, err := s.ListCredentials(t.Context(), u.Name)
			checkErr(t, "ListCredentials", err, nil)
			if len(creds) != keyLimit {
				t.Errorf("round %d: user has %d credentials, want %d", r, len(creds), keyLimit)
			}
		}
		var fns []func() error
		for i := range 4 {
			fns = append(fns, func() error {
				return stores[i%2].CreateCredential(t.Context(), newCred(fmt.Sprintf("AKIAROOT%012d", i), nil), keyLimit)
			})
		}
		if won, _ := tally(t, "CreateCredential for the root", race(fns...), store.ErrLimitExceeded); won != keyLimit {
			t.Errorf("%d of 4 concurrent root credentials created, want %d", won, keyLimit)
		}
	})

	t.Run("DeleteUserVersusCreateCredential", func(t *testing.T) {
		s, b := open(t)
		for r := range raceRounds {
			u := user(fmt.Sprintf("doomed%d", r))
			mustCreateUser(t, s, u)
			c := newCred(fmt.Sprintf("AKIADOOMED%010d", r), &u)
			errs := race(
				func() error { return s.DeleteUser(t.Context(), u.Name) },
				func() error { return b.CreateCredential(t.Context(), c, keyLimit) },
			)
			deleted, created := errs[0] == nil, errs[1] == nil
			switch {
			case deleted && created:
				t.Fatalf("round %d: DeleteUser and CreateCredential both succeeded", r)
			case !deleted && !errors.Is(errs[0], store.ErrHasCredentials):
				t.Fatalf("round %d: DeleteUser: %v, want nil or ErrHasCredentials", r, errs[0])
			case !created && !errors.Is(errs[1], store.ErrNotFound):
				t.Fatalf("round %d: CreateCredential: %v, want nil or ErrNotFound", r, errs[1])
			case !deleted && !created:
				t.Fatalf("round %d: both failed: %v; %v", r, errs[0], errs[1])
			}
			_, getErr := s.GetCredential(t.Context(), c.AccessKeyID)
			if deleted {
				checkErr(t, "GetCredential of a deleted user's credential", getErr, store.ErrNotFound)
			} else {
				checkErr(t, "GetCredential", getErr, nil)
				mustGetUser(t, s, u.Name)
			}
		}
	})
}
