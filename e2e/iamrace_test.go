package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// iamRounds is how many times each IAM race is run.
const iamRounds = 40

// TestIAMTwoNodeRaces races IAM's rules across two server processes on
// one PostgreSQL database, each round from a barrier. Before the store
// enforced them, "Bob" and "bob" were both created in 39 of 40 rounds, a
// user got a third access key, and DeleteUser and CreateAccessKey both
// succeeded, leaving a key the next user of the name inherited.
func TestIAMTwoNodeRaces(t *testing.T) {
	a, b := raceFleet(t)
	ia, ib := a.iamClient("", ""), b.iamClient("", "")
	ctx := context.Background()
	createUser := func(c *iam.Client, name string) func() error {
		return func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
			return err
		}
	}
	createKey := func(c *iam.Client, name string, out *iam.CreateAccessKeyOutput) func() error {
		return func() error {
			o, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
			if o != nil {
				*out = *o
			}
			return err
		}
	}
	mustOK := func(t *testing.T, what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	t.Run("UserNameCase", func(t *testing.T) {
		for r := range iamRounds {
			errs := raceTwo(createUser(ia, fmt.Sprintf("Bob%d", r)), createUser(ib, fmt.Sprintf("bob%d", r)))
			oneWinner(t, r, "CreateUser Bob/bob", errs, "EntityAlreadyExists")
		}
		users, err := ia.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1000)})
		mustOK(t, "ListUsers", err)
		if len(users.Users) != iamRounds {
			t.Fatalf("%d users after %d rounds, want one per round", len(users.Users), iamRounds)
		}
	})

	t.Run("AccessKeyLimit", func(t *testing.T) {
		for r := range iamRounds {
			name := fmt.Sprintf("keyed%d", r)
			mustOK(t, "CreateUser", createUser(ia, name)())
			var first iam.CreateAccessKeyOutput
			mustOK(t, "first CreateAccessKey", createKey(ia, name, &first)())
			var x, y iam.CreateAccessKeyOutput
			// The second node names the user in another case: the same user.
			errs := raceTwo(createKey(ia, name, &x), createKey(ib, "KEYED"+name[5:], &y))
			oneWinner(t, r, "CreateAccessKey with one place left", errs, "LimitExceeded")
			keys, err := ib.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)})
			mustOK(t, "ListAccessKeys", err)
			if len(keys.AccessKeyMetadata) != 2 {
				t.Fatalf("round %d: %s has %d access keys, want 2", r, name, len(keys.AccessKeyMetadata))
			}
		}
	})

	t.Run("DeleteUserVersusCreateAccessKey", func(t *testing.T) {
		keyWon, userWon := 0, 0
		for r := range iamRounds {
			name := fmt.Sprintf("doomed%d", r)
			mustOK(t, "CreateUser", createUser(ia, name)())
			var key iam.CreateAccessKeyOutput
			errs := raceTwo(
				func() error {
					_, err := ia.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)})
					return err
				},
				createKey(ib, name, &key),
			)
			switch winner := oneWinner(t, r, "DeleteUser against CreateAccessKey", errs, map[bool]string{
				true: "NoSuchEntity", false: "DeleteConflict"}[errs[0] == nil]); winner {
			case 0: // the user is gone, and no key was made: a new user of the name has none
				userWon++
				mustOK(t, "CreateUser again", createUser(ib, name)())
				for _, c := range []*iam.Client{ia, ib} {
					keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)})
					mustOK(t, "ListAccessKeys", err)
					if len(keys.AccessKeyMetadata) != 0 {
						t.Fatalf("round %d: the re-created %s has keys %v", r, name, keys.AccessKeyMetadata)
					}
				}
			case 1: // the key is the living user's, and signs as that user
				keyWon++
				who, err := a.stsClient(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey).
					GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				mustOK(t, "GetCallerIdentity with the new key", err)
				if got := aws.ToString(who.Arn); got != "arn:aws:iam::"+accountID+":user/"+name {
					t.Fatalf("round %d: the key signs as %s", r, got)
				}
			}
		}
		t.Logf("of %d rounds, DeleteUser won %d and CreateAccessKey %d", iamRounds, userWon, keyWon)
	})

	t.Run("RecreatedUserInheritsNothing", func(t *testing.T) {
		// A key deleted with its user: a user created again under the name,
		// on the other node, neither lists it nor authenticates with it.
		const name = "phoenix"
		mustOK(t, "CreateUser", createUser(ia, name)())
		var key iam.CreateAccessKeyOutput
		mustOK(t, "CreateAccessKey", createKey(ia, name, &key)())
		id, secret := *key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey
		_, err := ia.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)})
		queryError(t, err, 409, "DeleteConflict", "must delete access keys first")
		_, err = ia.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: aws.String(id)})
		mustOK(t, "DeleteAccessKey", err)
		_, err = ia.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)})
		mustOK(t, "DeleteUser", err)
		mustOK(t, "CreateUser again", createUser(ib, "Phoenix")())
		// A has just deleted the key, and never cached it for B.
		_, err = a.stsClient(id, secret).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		queryError(t, err, 403, "InvalidClientTokenId", "")
	})
}
