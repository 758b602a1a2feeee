package byokflow

import (
	"context"
	"errors"
	"fmt"
)

// Step is one step of a workflow: what it is called, what it does, and
// what it undoes when the run fails.
type Step struct {
	// Title is printed as "[n/N] Title ...".
	Title string
	// Undoes says, for the help text, what Undo takes back ("" when the
	// step makes nothing that outlives it).
	Undoes string
	// Do runs the step and returns a detail for the progress line.
	Do func(ctx context.Context) (detail string, err error)
	// Undo, if set, runs when this or a later step fails, newest step
	// first. It checks itself whether there is anything to undo (a step
	// may fail half-way) and returns what it did, for the user, or "".
	Undo func(ctx context.Context) string
}

// Plan is a workflow's steps in order. Steps are numbered by their place
// in the plan, so the total and the numbers cannot disagree.
type Plan []Step

// Observer receives a run's progress. The cli package prints it.
type Observer interface {
	// Begin starts step n of total.
	Begin(n, total int, title string)
	// Done ends the current step; detail may be "".
	Done(detail string)
	// Failed ends the current step with a failure.
	Failed()
	// Note is something the user should know while a step runs.
	Note(s string)
	// Cleanup reports what the undo of a failed run did.
	Cleanup(s string)
}

// StepError is a failed step: "step 5 (import the wrapping key into the
// token): …".
type StepError struct {
	N     int
	Title string
	Err   error
}

func (e *StepError) Error() string { return fmt.Sprintf("step %d (%s): %v", e.N, e.Title, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }

// UsageError is a mistake in the options, found while the run checks
// them; it is not wrapped in a StepError.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error { return UsageError{fmt.Errorf(format, args...)} }

// Run runs the steps in order. When one fails, the Undo of it and of
// every earlier step runs, newest first, with a context an interrupt does
// not cancel (Ctrl-C should not leave half a run behind), and the error
// names the step.
func (p Plan) Run(ctx context.Context, obs Observer) error {
	for i, s := range p {
		obs.Begin(i+1, len(p), s.Title)
		detail, err := s.Do(ctx)
		if err == nil {
			obs.Done(detail)
			continue
		}
		obs.Failed()
		p[:i+1].undo(context.WithoutCancel(ctx), obs)
		var u UsageError
		if errors.As(err, &u) {
			return err
		}
		return &StepError{N: i + 1, Title: s.Title, Err: err}
	}
	return nil
}

func (p Plan) undo(ctx context.Context, obs Observer) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].Undo == nil {
			continue
		}
		if s := p[i].Undo(ctx); s != "" {
			obs.Cleanup(s)
		}
	}
}

// Describe lists the steps for a help text: "  3. create the KMS key
// (undone on failure: …)".
func (p Plan) Describe() string {
	s := ""
	for i, st := range p {
		s += fmt.Sprintf("  %2d. %s\n", i+1, st.Title)
		if st.Undoes != "" {
			s += fmt.Sprintf("      on failure: %s\n", st.Undoes)
		}
	}
	return s
}
