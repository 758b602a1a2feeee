package iamapi

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/login"
)

const (
	goodPW  = "Sw0rdfish-9"
	otherPW = "Tr0ub4dor&3"
)

// TestMain makes password hashes cheap: argon2 at its real cost takes
// most of a second per hash under the race detector.
func TestMain(m *testing.M) {
	login.DefaultParams = login.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	os.Exit(m.Run())
}

func TestLoginProfileLifecycle(t *testing.T) {
	f := newFixture(t)
	must(t, f.iam(t, root, "CreateUser", "UserName", "bob"))
	must(t, f.iam(t, root, "CreateUser", "UserName", "carol"))
	policyMsg := "Password does not conform to the account password policy."
	for _, tc := range []struct {
		name   string
		action string
		kv     []string
		status int
		code   string
		msg    string // the whole message, or in the body of a success
	}{
		{"weak password", "CreateLoginProfile", []string{"UserName", "bob", "Password", "password1"}, 400, "PasswordPolicyViolation", policyMsg},
		{"the user's name", "CreateLoginProfile", []string{"UserName", "bob", "Password", "BOB"}, 400, "PasswordPolicyViolation", policyMsg},
		{"no password", "CreateLoginProfile", []string{"UserName", "bob"}, 400, "ValidationError",
			"1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null"},
		{"create", "CreateLoginProfile", []string{"UserName", "BOB", "Password", goodPW, "PasswordResetRequired", "true"}, 200, "",
			"<LoginProfile><UserName>bob</UserName><CreateDate>"},
		{"create again", "CreateLoginProfile", []string{"UserName", "bob", "Password", otherPW}, 409, "EntityAlreadyExists",
			"Login Profile for user bob already exists."},
		{"create for nobody", "CreateLoginProfile", []string{"UserName", "nobody", "Password", goodPW}, 404, "NoSuchEntity",
			"The user with name nobody cannot be found."},
		{"get", "GetLoginProfile", []string{"UserName", "Bob"}, 200, "", "<PasswordResetRequired>true</PasswordResetRequired>"},
		{"get none", "GetLoginProfile", []string{"UserName", "carol"}, 404, "NoSuchEntity", "Login Profile for User carol cannot be found."},
		{"root has no own user", "GetLoginProfile", nil, 400, "ValidationError", "Must specify userName when calling with non-User credentials"},
		{"update none", "UpdateLoginProfile", []string{"UserName", "carol", "PasswordResetRequired", "false"}, 404, "NoSuchEntity",
			"Login Profile for User carol cannot be found."},
		{"update weak", "UpdateLoginProfile", []string{"UserName", "bob", "Password", "short"}, 400, "PasswordPolicyViolation", policyMsg},
		{"update not a boolean", "UpdateLoginProfile", []string{"UserName", "bob", "PasswordResetRequired", "yes"}, 400, "ValidationError",
			"1 validation error detected: Value 'yes' at 'passwordResetRequired' failed to satisfy constraint: Member must be a boolean"},
		{"update", "UpdateLoginProfile", []string{"UserName", "bob", "PasswordResetRequired", "false"}, 200, "", ""},
		{"updated", "GetLoginProfile", []string{"UserName", "bob"}, 200, "", "<PasswordResetRequired>false</PasswordResetRequired>"},
		{"delete user with a profile", "DeleteUser", []string{"UserName", "bob"}, 409, "DeleteConflict",
			"Cannot delete entity, must delete login profile first."},
		{"no account policy", "GetAccountPasswordPolicy", nil, 404, "NoSuchEntity",
			"The Password Policy with domain name 111122223333 cannot be found."},
		{"delete", "DeleteLoginProfile", []string{"UserName", "bob"}, 200, "", ""},
		{"delete again", "DeleteLoginProfile", []string{"UserName", "bob"}, 404, "NoSuchEntity", "Login Profile for User bob cannot be found."},
		{"delete user", "DeleteUser", []string{"UserName", "bob"}, 200, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := f.iam(t, root, tc.action, tc.kv...)
			if tc.status == http.StatusOK {
				must(t, a)
				if !strings.Contains(a.body, tc.msg) {
					t.Errorf("body %s lacks %q", a.body, tc.msg)
				}
				return
			}
			if a.status != tc.status || a.code != tc.code || a.message != tc.msg {
				t.Errorf("got %d %s %q, want %d %s %q", a.status, a.code, a.message, tc.status, tc.code, tc.msg)
			}
		})
	}
}

func TestUpdateLoginProfileSetsThePassword(t *testing.T) {
	f := newFixture(t)
	must(t, f.iam(t, root, "CreateUser", "UserName", "bob"))
	must(t, f.iam(t, root, "CreateLoginProfile", "UserName", "bob", "Password", goodPW))
	must(t, f.iam(t, root, "UpdateLoginProfile", "UserName", "bob", "Password", otherPW))
	f.wantPassword(t, "bob", otherPW, true)
	f.wantPassword(t, "bob", goodPW, false)
}

// wantPassword checks, through the store, whether password is now the
// user's console password.
func (f *fixture) wantPassword(t *testing.T, user, password string, want bool) {
	t.Helper()
	lp, err := f.h.cfg.Store.GetLoginProfile(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := login.Verify(password, lp.PasswordHash); ok != want || err != nil {
		t.Errorf("password %q of %s verifies: %v, %v; want %v", password, user, ok, err, want)
	}
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	bob := f.newUser(t, "bob")
	must(t, f.iam(t, root, "CreateLoginProfile", "UserName", "bob", "Password", goodPW, "PasswordResetRequired", "true"))
	wantError(t, f.iam(t, bob, "ChangePassword", "OldPassword", goodPW, "NewPassword", otherPW), 403, "AccessDenied",
		"is not authorized to perform: iam:ChangePassword on resource: arn:aws:iam::111122223333:user/bob")
	must(t, f.iam(t, root, "PutUserPolicy", "UserName", "bob", "PolicyName", "self", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword","iam:GetLoginProfile"],"Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]}`))
	for _, tc := range []struct {
		name, old, new string
		status         int
		code, msg      string
	}{
		{"wrong old password", otherPW, otherPW, 403, "AccessDenied", "The old password is incorrect."},
		{"weak new password", goodPW, "abcdefgh", 400, "PasswordPolicyViolation", "Password does not conform to the account password policy."},
		{"too long", goodPW, strings.Repeat("Aa1", 43), 400, "ValidationError",
			"1 validation error detected: Value at 'newPassword' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"change", goodPW, otherPW, 200, "", ""},
		{"the old one is gone", goodPW, "N3w-password", 403, "AccessDenied", "The old password is incorrect."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := f.iam(t, bob, "ChangePassword", "OldPassword", tc.old, "NewPassword", tc.new)
			if tc.status == http.StatusOK {
				must(t, a)
				return
			}
			if a.status != tc.status || a.code != tc.code || a.message != tc.msg {
				t.Errorf("got %d %s %q, want %d %s %q", a.status, a.code, a.message, tc.status, tc.code, tc.msg)
			}
		})
	}
	f.wantPassword(t, "bob", otherPW, true)
	// The change clears PasswordResetRequired; bob reads his own profile.
	if a := must(t, f.iam(t, bob, "GetLoginProfile")); !strings.Contains(a.body, "<PasswordResetRequired>false</PasswordResetRequired>") {
		t.Errorf("after ChangePassword: %s", a.body)
	}
	wantError(t, f.iam(t, root, "ChangePassword", "OldPassword", goodPW, "NewPassword", otherPW), 400, "InvalidUserType",
		"Only IAM users can change their own password.")
	carol := f.newUser(t, "carol")
	wantError(t, f.iam(t, carol, "CreateLoginProfile", "UserName", "bob", "Password", goodPW), 403, "AccessDenied",
		"iam:CreateLoginProfile on resource: arn:aws:iam::111122223333:user/bob")
}

// No password reaches the audit trail: not from a success, a refusal, nor
// a parameter that fails validation.
func TestPasswordsAreNotAudited(t *testing.T) {
	f := newFixture(t)
	bob := f.newUser(t, "bob")
	must(t, f.iam(t, root, "PutUserPolicy", "UserName", "bob", "PolicyName", "self", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"*"}]}`))
	secrets := []string{"Secr3t-create", "Secr3t-update", "Secr3t-new", "weak-secr3t-x", "Secr3t-" + strings.Repeat("x", 130)}
	must(t, f.iam(t, root, "CreateLoginProfile", "UserName", "bob", "Password", secrets[0]))
	must(t, f.iam(t, root, "UpdateLoginProfile", "UserName", "bob", "Password", secrets[1]))
	must(t, f.iam(t, bob, "ChangePassword", "OldPassword", secrets[1], "NewPassword", secrets[2]))
	wantError(t, f.iam(t, bob, "ChangePassword", "OldPassword", secrets[3], "NewPassword", secrets[3]), 403, "AccessDenied", "")
	wantError(t, f.iam(t, root, "UpdateLoginProfile", "UserName", "bob", "Password", secrets[4]), 400, "ValidationError", "")
	wantError(t, f.iam(t, root, "UpdateLoginProfile", "UserName", "bob", "password", secrets[3], "PasswordResetRequired", "x"), 400, "ValidationError", "")
	if err := f.trail.Sync(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(f.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s[:10])) {
			t.Errorf("password %q is in the audit log", s[:10])
		}
	}
	var create *audit.Record
	audit.Read(f.auditPath, audit.Filter{}, func(r *audit.Record) error {
		if r.EventName == "CreateLoginProfile" {
			create = r
		}
		return nil
	})
	if create == nil || string(create.RequestParameters) != `{"userName":"bob"}` ||
		!strings.Contains(string(create.ResponseElements), `"loginProfile":{"userName":"bob","createDate":"`) {
		t.Errorf("CreateLoginProfile record: %+v", create)
	}
}
