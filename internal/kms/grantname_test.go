package kms_test

import (
	"sync"
	"testing"

	"github.com/trent-kms/trent/internal/kms"
)

// TestNamedGrantConcurrentCreates: CreateGrant calls with one Name and one
// content racing from a barrier make one grant and all return its ID; a
// different content under the same name is another grant, as in AWS.
func TestNamedGrantConcurrentCreates(t *testing.T) {
	svc, _ := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{})
	in := kms.GrantInput{Grantee: "arn:aws:iam::" + testAccount + ":root", Operations: []string{"Decrypt"}, Name: "app"}
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			ids[i], _, errs[i] = svc.CreateGrant(sysCtx(), id, in)
		}()
	}
	start.Done()
	done.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("call %d: id %s, err %v; call 0: %s", i, ids[i], errs[i], ids[0])
		}
	}
	other := in
	other.Operations = []string{"Encrypt"}
	otherID, _, err := svc.CreateGrant(sysCtx(), id, other)
	if err != nil || otherID == ids[0] {
		t.Fatalf("same name, other content: %s, %v", otherID, err)
	}
	grants, _, err := svc.ListGrants(sysCtx(), id, "", "", "", 0)
	if err != nil || len(grants) != 2 {
		t.Fatalf("ListGrants = %d grants, %v; want 2", len(grants), err)
	}
}
