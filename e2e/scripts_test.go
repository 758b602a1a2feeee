package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The README's walk-throughs (scripts/cli-walkthrough.sh and
// scripts/boto3_walkthrough.py) run here against a fresh server, so the
// documentation cannot drift from what Trent does.

// walkthroughTimeout bounds one script run. AWS CLI v1 takes about a second
// per command, and the CLI walk-through makes about 45 of them.
const walkthroughTimeout = 5 * time.Minute

// requireTool skips the test when a client the scripts need is missing,
// unless CI=true: there the README's test command has installed it.
func requireTool(t *testing.T, what string, check func() error) {
	t.Helper()
	if err := check(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not available (%v); scripts/setup-test-deps.sh installs it", what, err)
		}
		t.Skipf("%s is not available (%v); set CI=true to make this a failure", what, err)
	}
}

// scriptEnv is this process's environment with the server's endpoint and
// root credentials, and without any other AWS credentials or profile.
func scriptEnv(ep *endpoint) []string {
	drop := map[string]bool{
		"TRENT_ENDPOINT": true, "AWS_SHARED_CREDENTIALS_FILE": true, "AWS_DEFAULT_REGION": true,
		"AWS_REGION": true, "AWS_CONFIG_FILE": true, "AWS_ACCESS_KEY_ID": true,
		"AWS_SECRET_ACCESS_KEY": true, "AWS_PROFILE": true, "AWS_DEFAULT_PROFILE": true,
		"AWS_SESSION_TOKEN": true, "AWS_SECURITY_TOKEN": true, "AWS_ENDPOINT_URL": true,
		"AWS_ENDPOINT_URL_KMS": true,
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			env = append(env, kv)
		}
	}
	return append(env,
		"TRENT_ENDPOINT="+ep.URL,
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(ep.DataDir, "root-credentials"),
		"AWS_DEFAULT_REGION="+region,
		"AWS_CONFIG_FILE="+os.DevNull,
	)
}

// runWalkthrough runs one walk-through script against a fresh server and
// fails with its output if it does not succeed.
func runWalkthrough(t *testing.T, name string, args ...string) {
	t.Helper()
	runWalkthroughWith(t, nil, name, args...)
}

// runWalkthroughWith is runWalkthrough with extra environment variables
// computed from the server's endpoint.
func runWalkthroughWith(t *testing.T, extra func(*endpoint) []string, name string, args ...string) {
	t.Helper()
	ep := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), walkthroughTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = scriptEnv(ep)
	if extra != nil {
		cmd.Env = append(cmd.Env, extra(ep)...)
	}
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s %s did not finish within %v; output:\n%s", name, strings.Join(args, " "), walkthroughTimeout, out)
	}
	if err != nil {
		t.Fatalf("%s %s: %v; output:\n%s", name, strings.Join(args, " "), err, out)
	}
	if !strings.Contains(string(out), "walk-through complete") {
		t.Fatalf("%s %s exited 0 without finishing; output:\n%s", name, strings.Join(args, " "), out)
	}
	t.Logf("%s: %d steps ok in %v", args[0], strings.Count(string(out), "ok: "), time.Since(start).Round(time.Millisecond))
}

func TestAWSCLIWalkthrough(t *testing.T) {
	requireTool(t, "the AWS CLI", func() error {
		_, err := exec.LookPath("aws")
		return err
	})
	runWalkthrough(t, "bash", "../scripts/cli-walkthrough.sh")
}

func TestBoto3Walkthrough(t *testing.T) {
	requireTool(t, "python3 with boto3", func() error {
		return exec.Command("python3", "-c", "import boto3").Run()
	})
	runWalkthrough(t, "python3", "../scripts/boto3_walkthrough.py")
}

func TestAWSCLIAccessControlWalkthrough(t *testing.T) {
	requireTool(t, "the AWS CLI", func() error {
		_, err := exec.LookPath("aws")
		return err
	})
	t.Setenv("TRENT_BIN", trentBinary(t))
	runWalkthroughWith(t, func(ep *endpoint) []string { return []string{"TRENT_DATA_DIR=" + ep.DataDir} }, "bash", "../scripts/cli-access.sh")
}
