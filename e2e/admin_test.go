package e2e

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/trent-kms/trent/internal/cli"
)

// TestAdminUsers drives `trent admin` user and access-key commands against
// a real server, as a script would.
func TestAdminUsers(t *testing.T) {
	ep := startServer(t)
	t.Setenv("AWS_ACCESS_KEY_ID", ep.KeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", ep.Secret)
	t.Setenv("AWS_ENDPOINT_URL", ep.URL)
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	run := func(args ...string) []byte {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := cli.Main(append([]string{"admin"}, args...), &out, &errOut); code != 0 {
			t.Fatalf("trent admin %v: exit %d: %s", args, code, errOut.String())
		}
		return out.Bytes()
	}
	var user struct{ UserName, Arn string }
	if err := json.Unmarshal(run("create-user", "--user-name", "ops"), &user); err != nil || user.Arn != "arn:aws:iam::"+accountID+":user/ops" {
		t.Fatalf("create-user printed %+v, %v", user, err)
	}
	var key struct{ AccessKeyId, SecretAccessKey, Status string }
	if err := json.Unmarshal(run("create-access-key", "--user-name", "ops"), &key); err != nil || len(key.SecretAccessKey) != 40 || key.Status != "Active" {
		t.Fatalf("create-access-key printed %+v, %v", key, err)
	}
	remember(t, []byte(key.SecretAccessKey))
	run("attach-user-policy", "--user-name", "ops", "--policy-arn", "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser")
	run("update-access-key", "--user-name", "ops", "--access-key-id", key.AccessKeyId, "--status", "Inactive")
	var keys []struct{ AccessKeyId, Status string }
	if err := json.Unmarshal(run("list-access-keys", "--user-name", "ops"), &keys); err != nil || len(keys) != 1 || keys[0].Status != "Inactive" {
		t.Fatalf("list-access-keys printed %+v, %v", keys, err)
	}
	var users []struct{ UserName string }
	if err := json.Unmarshal(run("list-users"), &users); err != nil || len(users) != 1 || users[0].UserName != "ops" {
		t.Fatalf("list-users printed %+v, %v", users, err)
	}
	var errOut bytes.Buffer
	if code := cli.Main([]string{"admin", "delete-user", "--user-name", "ops"}, &bytes.Buffer{}, &errOut); code != 1 || !bytes.Contains(errOut.Bytes(), []byte("DeleteConflict")) {
		t.Fatalf("delete-user with keys and policies: exit %d, %s", code, errOut.String())
	}
}
