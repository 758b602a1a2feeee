package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// raceFleet starts two trent processes on a new PostgreSQL database: the
// nodes every race below runs between.
func raceFleet(t *testing.T) (a, b *node) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts PostgreSQL and two servers")
	}
	dsn, _ := postgresServer(t)
	f := newFleet(t, newDatabase(t, dsn))
	return f.start("A"), f.start("B")
}

// iamClient is an IAM client of n signing with the given key (the root's
// when id is ""), without SDK retries, so that every answer is seen once.
func (n *node) iamClient(id, secret string) *iam.Client {
	return iam.New(iam.Options{Region: region, BaseEndpoint: aws.String(n.URL), Credentials: n.key(id, secret),
		Retryer: aws.NopRetryer{}, HTTPClient: &http.Client{Timeout: 10 * time.Second}})
}

// stsClient is iamClient for STS.
func (n *node) stsClient(id, secret string) *sts.Client {
	return sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(n.URL), Credentials: n.key(id, secret),
		Retryer: aws.NopRetryer{}, HTTPClient: &http.Client{Timeout: 10 * time.Second}})
}

// raceTwo runs f and g at once, released together from a barrier.
func raceTwo(f, g func() error) [2]error {
	var errs [2]error
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, fn := range []func() error{f, g} {
		wg.Go(func() {
			<-start
			errs[i] = fn()
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner fails t unless exactly one of errs is nil and the other is the
// error code lost.
func oneWinner(t *testing.T, round int, what string, errs [2]error, lost string) (winner int) {
	t.Helper()
	switch {
	case errs[0] == nil && errs[1] == nil:
		t.Fatalf("round %d: %s succeeded on both nodes", round, what)
	case errs[0] != nil && errs[1] != nil:
		t.Fatalf("round %d: %s failed on both nodes: %v; %v", round, what, errs[0], errs[1])
	}
	winner, loser := 0, errs[1]
	if errs[0] != nil {
		winner, loser = 1, errs[0]
	}
	if code := errorCode(loser); code != lost {
		t.Fatalf("round %d: %s lost with %v, want %s", round, what, loser, lost)
	}
	return winner
}

// TestTwoNodeRaces races the KMS uniqueness rules across two server
// processes on one PostgreSQL database, each round from a barrier: alias
// names, grant names (idempotent: one grant, one GrantId) and import
// tokens (used once). IAM's rules are raced in iamrace_test.go.
func TestTwoNodeRaces(t *testing.T) {
	a, b := raceFleet(t)
	ca, cb := a.client(), b.client()
	ctx := context.Background()
	key, err := ca.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyID := key.KeyMetadata.KeyId

	t.Run("CreateAlias", func(t *testing.T) {
		for r := range 30 {
			name := aws.String(fmt.Sprintf("alias/race-%d", r))
			in := &kms.CreateAliasInput{AliasName: name, TargetKeyId: keyID}
			errs := raceTwo(
				func() error { _, err := ca.CreateAlias(ctx, in); return err },
				func() error { _, err := cb.CreateAlias(ctx, in); return err },
			)
			oneWinner(t, r, "CreateAlias "+*name, errs, "AlreadyExistsException")
		}
	})

	t.Run("CreateGrantName", func(t *testing.T) {
		for r := range 30 {
			in := &kms.CreateGrantInput{
				KeyId: keyID, Name: aws.String(fmt.Sprintf("race-%d", r)),
				GranteePrincipal: aws.String("arn:aws:iam::" + accountID + ":root"),
				Operations:       []types.GrantOperation{types.GrantOperationEncrypt},
			}
			var ids [2]string
			errs := raceTwo(
				func() error { out, err := ca.CreateGrant(ctx, in); ids[0] = aws.ToString(out.GrantId); return err },
				func() error { out, err := cb.CreateGrant(ctx, in); ids[1] = aws.ToString(out.GrantId); return err },
			)
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("round %d: CreateGrant with one Name: %v; %v, want both to succeed", r, errs[0], errs[1])
			}
			if ids[0] != ids[1] || ids[0] == "" {
				t.Fatalf("round %d: the nodes answered GrantIds %q and %q, want one", r, ids[0], ids[1])
			}
		}
		grants, err := ca.ListGrants(ctx, &kms.ListGrantsInput{KeyId: keyID, Limit: aws.Int32(100)})
		if err != nil {
			t.Fatal(err)
		}
		if len(grants.Grants) != 30 {
			t.Fatalf("%d grants after 30 rounds of one Name on two nodes, want 30", len(grants.Grants))
		}
	})

	t.Run("ImportToken", func(t *testing.T) {
		for r := range 8 {
			id, _ := createExternalKey(t, ca)
			p := getParams(t, ca, id, oaepSHA256, rsa2048)
			in := importInput(id, p.token, wrapGo(t, p, randomBytes(t, 32)))
			errs := raceTwo(
				func() error { _, err := ca.ImportKeyMaterial(ctx, in); return err },
				func() error { _, err := cb.ImportKeyMaterial(ctx, in); return err },
			)
			if errs[0] == nil && errs[1] == nil {
				t.Fatalf("round %d: one import token used on both nodes", r)
			}
			if errs[0] != nil && errs[1] != nil {
				t.Fatalf("round %d: ImportKeyMaterial failed on both nodes: %v; %v", r, errs[0], errs[1])
			}
			var lost error = errs[0]
			if lost == nil {
				lost = errs[1]
			}
			if code := errorCode(lost); code == "" || errors.Is(lost, context.DeadlineExceeded) {
				t.Fatalf("round %d: the losing import: %v, want a KMS error", r, lost)
			}
		}
	})
}
