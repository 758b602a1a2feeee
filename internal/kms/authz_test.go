package kms_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/store"
)

func as(name string) context.Context {
	p := identity.Principal{Kind: identity.KindRoot, ARN: "arn:aws:iam::" + testAccount + ":root", AccountID: testAccount}
	if name != "" {
		p.Kind, p.ARN, p.UserName, p.UserID = identity.KindUser, "arn:aws:iam::"+testAccount+":user/"+name, name, "AIDA"+strings.ToUpper(name)
	}
	return identity.With(sysCtx(), p)
}

func addUser(t *testing.T, st store.Store, name string, inline map[string]string, attached ...string) {
	t.Helper()
	if err := st.CreateUser(sysCtx(), store.User{
		Name: name, UserID: "AIDA" + strings.ToUpper(name), Path: "/", ARN: "arn:aws:iam::" + testAccount + ":user/" + name,
		CreatedAt: time.Now().UTC(), InlinePolicies: inline, AttachedPolicies: attached,
	}); err != nil {
		t.Fatal(err)
	}
}

// keyPolicy is the policy the console generates for one administrator who
// may delete the key and one key user, with a Deny on an encryption context.
func keyPolicy(admin, user string) string {
	acct := "arn:aws:iam::" + testAccount
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"` + acct + `:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Allow access for Key Administrators","Effect":"Allow","Principal":{"AWS":"` + acct + `:user/` + admin + `"},
  "Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"},
 {"Sid":"Allow use of the key","Effect":"Allow","Principal":{"AWS":"` + acct + `:user/` + user + `"},
  "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"},
 {"Sid":"Deny the forbidden context","Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*",
  "Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"forbidden"}}}
]}`
}

func TestAuthorization(t *testing.T) {
	svc, _, st := newServiceStore(t)
	addUser(t, st, "kms-admin", nil)
	addUser(t, st, "app", nil)
	addUser(t, st, "auditor", nil)
	addUser(t, st, "poweruser", nil, "arn:aws:iam::aws:policy/AdministratorAccess")
	k, err := svc.CreateKey(as(""), kms.CreateKeyInput{Policy: keyPolicy("kms-admin", "app")})
	if err != nil {
		t.Fatal(err)
	}
	arn := svc.KeyARN(k.ID)
	encrypt := func(ctx context.Context, ec map[string]string) error {
		_, err := svc.Encrypt(ctx, k.ID, []byte("x"), ec, kms.CryptoOptions{})
		return err
	}
	denied := func(t *testing.T, err error, who, action, why string) {
		t.Helper()
		wantKind(t, err, kms.ErrAccessDenied, "User: arn:aws:iam::"+testAccount+":"+who+" is not authorized to perform: kms:"+action+" on resource: "+arn+" "+why)
	}

	if err := encrypt(as("app"), map[string]string{"tenant": "a"}); err != nil {
		t.Fatalf("key user Encrypt: %v", err)
	}
	denied(t, encrypt(as("app"), map[string]string{"tenant": "forbidden"}), "user/app", "Encrypt", "with an explicit deny in a resource-based policy")
	_, err = svc.ScheduleKeyDeletion(as("app"), k.ID, 7)
	denied(t, err, "user/app", "ScheduleKeyDeletion", "because no identity-based policy allows the kms:ScheduleKeyDeletion action")
	denied(t, svc.PutKeyPolicy(as("app"), k.ID, "default", keyPolicy("app", "app"), false), "user/app", "PutKeyPolicy",
		"because no identity-based policy allows the kms:PutKeyPolicy action")
	denied(t, encrypt(as("kms-admin"), nil), "user/kms-admin", "Encrypt", "because no identity-based policy allows the kms:Encrypt action")
	if _, err := svc.DescribeKey(as("kms-admin"), k.ID); err != nil {
		t.Fatalf("admin DescribeKey: %v", err)
	}
	// An identity policy counts through the key policy's delegation.
	if err := encrypt(as("poweruser"), nil); err != nil {
		t.Fatalf("AdministratorAccess user through delegation: %v", err)
	}
	// The root user needs no identity policy.
	if err := encrypt(as(""), nil); err != nil {
		t.Fatalf("root: %v", err)
	}

	// A grant lets a third user decrypt, within its constraint, until revoked.
	blob, err := svc.Encrypt(as("app"), k.ID, []byte("for the auditor"), map[string]string{"tenant": "a"}, kms.CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	decrypt := func(ec map[string]string) error {
		_, err := svc.Decrypt(as("auditor"), "", blob.Blob, ec, kms.CryptoOptions{})
		return err
	}
	denied(t, decrypt(map[string]string{"tenant": "a"}), "user/auditor", "Decrypt", "because no identity-based policy allows the kms:Decrypt action")
	grantID, token, err := svc.CreateGrant(as("kms-admin"), k.ID, kms.GrantInput{
		Grantee: "arn:aws:iam::" + testAccount + ":user/auditor", Operations: []string{"Decrypt"},
		Subset: map[string]string{"tenant": "a"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CheckGrantTokens([]string{token}); err != nil {
		t.Fatal(err)
	}
	wantKind(t, svc.CheckGrantTokens([]string{token + "x"}), kms.ErrInvalidGrantToken, "")
	if err := decrypt(map[string]string{"tenant": "a"}); err != nil {
		t.Fatalf("grantee Decrypt: %v", err)
	}
	if err := svc.RevokeGrant(as("kms-admin"), k.ID, grantID); err != nil {
		t.Fatal(err)
	}
	denied(t, decrypt(map[string]string{"tenant": "a"}), "user/auditor", "Decrypt", "because no identity-based policy allows the kms:Decrypt action")
}

func TestKeyPolicyChecks(t *testing.T) {
	svc, _, st := newServiceStore(t)
	addUser(t, st, "admin", nil)
	ctx := as("admin")
	k := mustCreate(t, svc, kms.CreateKeyInput{Policy: keyPolicy("admin", "admin")})
	for _, tc := range []struct {
		name, doc string
		bypass    bool
		kind      error
		msg       string
	}{
		{"not JSON", `{`, false, kms.ErrMalformedPolicy, ""},
		{"unknown user", keyPolicy("admin", "ghost"), false, kms.ErrMalformedPolicy, "Policy contains a statement with one or more invalid principals."},
		{"lockout", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/admin"},"Action":"kms:Encrypt","Resource":"*"}]}`,
			false, kms.ErrMalformedPolicy, "The new key policy will not allow you to update the key policy in the future."},
		{"too large", `{"Version":"2012-10-17","Statement":[],"Id":"` + strings.Repeat("x", 33000) + `"}`, false, kms.ErrLimitExceeded, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantKind(t, svc.PutKeyPolicy(ctx, k, "default", tc.doc, tc.bypass), tc.kind, tc.msg)
		})
	}
	lockout := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/admin"},"Action":"kms:Encrypt","Resource":"*"}]}`
	if err := svc.PutKeyPolicy(ctx, k, "default", lockout, true); err != nil {
		t.Fatalf("bypassed lockout check: %v", err)
	}
	doc, err := svc.GetKeyPolicy(sysCtx(), k, "")
	if err != nil || doc != lockout {
		t.Fatalf("GetKeyPolicy = %q, %v", doc, err)
	}
	_, err = svc.GetKeyPolicy(sysCtx(), k, "other")
	wantKind(t, err, kms.ErrNotFound, "")
}

// TestRecreatedUserGivesNothingToOldKeys: a caller named like a user but
// carrying another user ID (an access key of a deleted user of that name,
// still cached somewhere) gets none of the new user's policies.
func TestRecreatedUserGivesNothingToOldKeys(t *testing.T) {
	svc, _, st := newServiceStore(t)
	addUser(t, st, "bob", nil, "arn:aws:iam::aws:policy/AdministratorAccess")
	if _, err := svc.CreateKey(as("bob"), kms.CreateKeyInput{}); err != nil {
		t.Fatalf("bob with AdministratorAccess: %v", err)
	}
	stale := identity.Principal{Kind: identity.KindUser, ARN: "arn:aws:iam::" + testAccount + ":user/bob",
		AccountID: testAccount, UserName: "bob", UserID: "AIDAOLDBOB"}
	_, err := svc.CreateKey(identity.With(context.Background(), stale), kms.CreateKeyInput{})
	wantKind(t, err, kms.ErrAccessDenied, "")
}
