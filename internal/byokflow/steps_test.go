package byokflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// recorder is an Observer that writes what it sees, one event a line.
type recorder struct{ strings.Builder }

func (r *recorder) Begin(n, total int, title string) {
	fmt.Fprintf(r, "begin %d/%d %s\n", n, total, title)
}
func (r *recorder) Done(d string)    { fmt.Fprintf(r, "done %s\n", d) }
func (r *recorder) Failed()          { fmt.Fprintf(r, "failed\n") }
func (r *recorder) Note(s string)    { fmt.Fprintf(r, "note %s\n", s) }
func (r *recorder) Cleanup(s string) { fmt.Fprintf(r, "cleanup %s\n", s) }

func TestPlanRun(t *testing.T) {
	ok := func(d string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { return d, nil }
	}
	undo := func(s string) func(context.Context) string { return func(context.Context) string { return s } }
	boom := errors.New("boom")
	for _, c := range []struct {
		name    string
		plan    Plan
		want    string
		wantErr string
	}{
		{"all pass", Plan{{Title: "a", Do: ok("x"), Undo: undo("never")}, {Title: "b", Do: ok("")}},
			"begin 1/2 a\ndone x\nbegin 2/2 b\ndone \n", ""},
		{"undo newest first, up to the failed step, not after", Plan{
			{Title: "a", Do: ok(""), Undo: undo("undid a")},
			{Title: "b", Do: ok("")},
			{Title: "c", Do: func(context.Context) (string, error) { return "", boom }, Undo: undo("undid c")},
			{Title: "d", Do: ok(""), Undo: undo("undid d")},
		}, "begin 1/4 a\ndone \nbegin 2/4 b\ndone \nbegin 3/4 c\nfailed\ncleanup undid c\ncleanup undid a\n", "step 3 (c): boom"},
		{"an undo with nothing to do prints nothing", Plan{
			{Title: "a", Do: ok(""), Undo: undo("")},
			{Title: "b", Do: func(context.Context) (string, error) { return "", boom }},
		}, "begin 1/2 a\ndone \nbegin 2/2 b\nfailed\n", "step 2 (b): boom"},
		{"a usage error is not wrapped", Plan{
			{Title: "a", Do: func(context.Context) (string, error) { return "", usagef("give --x") }},
		}, "begin 1/1 a\nfailed\n", "give --x"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r recorder
			err := c.plan.Run(context.Background(), &r)
			if r.String() != c.want {
				t.Errorf("events:\n%s\nwant:\n%s", r.String(), c.want)
			}
			if (err == nil) != (c.wantErr == "") || (err != nil && err.Error() != c.wantErr) {
				t.Errorf("err %v, want %q", err, c.wantErr)
			}
		})
	}
}

// TestUndoIgnoresCancel: Ctrl-C cancels the run, not its clean-up.
func TestUndoIgnoresCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var undoErr error
	p := Plan{
		{Title: "make", Do: func(context.Context) (string, error) { return "", nil },
			Undo: func(ctx context.Context) string { undoErr = ctx.Err(); return "undone" }},
		{Title: "interrupted", Do: func(context.Context) (string, error) { cancel(); return "", context.Canceled }},
	}
	var r recorder
	if err := p.Run(ctx, &r); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if undoErr != nil || !strings.Contains(r.String(), "cleanup undone") {
		t.Errorf("undo ran with ctx.Err() = %v; events:\n%s", undoErr, r.String())
	}
}

// TestPlansNumberEveryStep: the plans' titles and undo texts are data, so
// the help lists exactly the steps a run numbers.
func TestPlansNumberEveryStep(t *testing.T) {
	imp := func(keyID string, generate bool) Plan {
		o := ImportOptions{KeyID: keyID, Spec: "RSA_2048", Key: KeyChoice{Ref: "k"}}
		if generate {
			o.Key = KeyChoice{Generate: true}
		}
		im, err := NewImport(o)
		if err != nil {
			t.Fatal(err)
		}
		return im.Plan()
	}
	exp := func(o ExportOptions) Plan {
		o.Key, o.OutDir = KeyChoice{Ref: "k"}, t.TempDir()
		e, err := NewExport(o)
		if err != nil {
			t.Fatal(err)
		}
		return e.Plan()
	}
	for _, c := range []struct {
		name  string
		plan  Plan
		steps int
		has   string
	}{
		{"import, creating the key", imp("", false), 12, "   5. create the KMS key\n      on failure: unless --keep-kms-key"},
		{"import into a key", imp("k", false), 11, "   5. get the wrapping key and import token from KMS\n"},
		{"import, generating", imp("", true), 12, "   4. generate an AES-256 key in the token\n      on failure: unless --keep-generated"},
		{"export from KMS", exp(ExportOptions{KeyID: "k"}), 9, "   1. reach KMS and check the KMS key\n"},
		{"export from files", exp(ExportOptions{ParamsFile: "p"}), 7, "   1. read the import parameters and check the wrapping algorithm\n"},
		{"export with the token's wrapping key", exp(ExportOptions{ParamsFile: "p", WrappingKey: "w"}), 6, "   4. check the wrapping key in the token\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := c.plan.Describe()
			if len(c.plan) != c.steps || !strings.Contains(d, fmt.Sprintf("  %2d. ", c.steps)) || !strings.Contains(d, c.has) {
				t.Errorf("%d steps:\n%s", len(c.plan), d)
			}
		})
	}
}
