package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestAWSCLILoginProfiles manages console passwords with the stock aws
// CLI: create, get, update, delete a user's login profile, and the user
// changing its own password.
func TestAWSCLILoginProfiles(t *testing.T) {
	requireTool(t, "the AWS CLI", func() error {
		_, err := exec.LookPath("aws")
		return err
	})
	ep := startIAMServer(t)
	// aws runs the CLI as the root, or with env's extra variables (a
	// user's key); it returns stdout, or the CLI's error output.
	aws := func(env []string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", ep.URL, "--output", "json", "iam"}, args...)...)
		cmd.Env = append(scriptEnv(ep), env...)
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(ee.Stderr), err
		}
		return string(out), err
	}
	must := func(env []string, args ...string) string {
		t.Helper()
		out, err := aws(env, args...)
		if err != nil {
			t.Fatalf("aws iam %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return out
	}
	fails := func(env []string, want string, args ...string) {
		t.Helper()
		out, err := aws(env, args...)
		if err == nil || !strings.Contains(out, want) {
			t.Fatalf("aws iam %s = %v, %q; want an error with %q", strings.Join(args, " "), err, out, want)
		}
	}
	type profile struct {
		LoginProfile struct {
			UserName              string
			CreateDate            string
			PasswordResetRequired bool
		}
	}
	getProfile := func(env []string, args ...string) profile {
		t.Helper()
		var p profile
		out := must(env, append([]string{"get-login-profile"}, args...)...)
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("get-login-profile: %v: %s", err, out)
		}
		return p
	}

	must(nil, "create-user", "--user-name", "bob")
	fails(nil, "An error occurred (PasswordPolicyViolation) when calling the CreateLoginProfile operation: Password does not conform to the account password policy.",
		"create-login-profile", "--user-name", "bob", "--password", "password")
	must(nil, "create-login-profile", "--user-name", "bob", "--password", "Sw0rdfish-9", "--password-reset-required")
	fails(nil, "(EntityAlreadyExists) when calling the CreateLoginProfile operation: Login Profile for user bob already exists.",
		"create-login-profile", "--user-name", "bob", "--password", "Sw0rdfish-9")
	if p := getProfile(nil, "--user-name", "bob"); p.LoginProfile.UserName != "bob" || !p.LoginProfile.PasswordResetRequired ||
		!strings.HasPrefix(p.LoginProfile.CreateDate, time.Now().UTC().Format("2006-")) {
		t.Errorf("get-login-profile = %+v", p)
	}
	must(nil, "update-login-profile", "--user-name", "bob", "--password", "Tr0ub4dor&3")
	fails(nil, "(DeleteConflict) when calling the DeleteUser operation: Cannot delete entity, must delete login profile first.",
		"delete-user", "--user-name", "bob")

	// Bob changes his own password, which clears the reset flag.
	must(nil, "put-user-policy", "--user-name", "bob", "--policy-name", "self", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword","iam:GetLoginProfile"],"Resource":"arn:aws:iam::`+accountID+`:user/${aws:username}"}]}`)
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	if err := json.Unmarshal([]byte(must(nil, "create-access-key", "--user-name", "bob")), &key); err != nil {
		t.Fatal(err)
	}
	bob := []string{"AWS_ACCESS_KEY_ID=" + key.AccessKey.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + key.AccessKey.SecretAccessKey}
	fails(bob, "(AccessDenied) when calling the ChangePassword operation: The old password is incorrect.",
		"change-password", "--old-password", "Sw0rdfish-9", "--new-password", "N3w-password")
	must(bob, "change-password", "--old-password", "Tr0ub4dor&3", "--new-password", "N3w-password")
	if p := getProfile(bob); p.LoginProfile.UserName != "bob" || p.LoginProfile.PasswordResetRequired {
		t.Errorf("after change-password: %+v", p)
	}
	fails(nil, "(InvalidUserType) when calling the ChangePassword operation", "change-password", "--old-password", "x", "--new-password", "y")
	fails(nil, "(NoSuchEntity) when calling the GetAccountPasswordPolicy operation: The Password Policy with domain name "+accountID+" cannot be found.",
		"get-account-password-policy")

	must(nil, "delete-login-profile", "--user-name", "bob")
	fails(nil, "(NoSuchEntity) when calling the GetLoginProfile operation: Login Profile for User bob cannot be found.",
		"get-login-profile", "--user-name", "bob")
	fails(nil, "(NoSuchEntity) when calling the DeleteLoginProfile operation: Login Profile for User bob cannot be found.",
		"delete-login-profile", "--user-name", "bob")
}
