package browser

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// aws runs the AWS CLI against s as the account root and returns its
// standard output; a failure of the command fails the test.
func (s *trentServer) aws(t *testing.T, args ...string) string {
	t.Helper()
	return s.awsAs(t, s.KeyID, s.Secret, args...)
}

// awsAs runs the AWS CLI with the access key id and secret.
func (s *trentServer) awsAs(t *testing.T, id, secret string, args ...string) string {
	t.Helper()
	out, err := s.awsTry(t, id, secret, args...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// awsTry runs the AWS CLI and returns its combined output and error. The
// CLI reads no configuration file: only the key given and the region.
func (s *trentServer) awsTry(t *testing.T, id, secret string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		require(t, "the AWS CLI", err)
	}
	cmd := exec.Command("aws", append([]string{"--endpoint-url", s.URL, "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_DEFAULT_REGION="+region, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_PAGER=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
