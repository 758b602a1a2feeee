package e2e

import (
	"os/exec"
	"testing"
)

// TestAWSCLIImportWalkthrough runs scripts/cli-import.sh, the README's
// import walk-through (AWS CLI and the openssl commands AWS documents),
// against a fresh server.
func TestAWSCLIImportWalkthrough(t *testing.T) {
	requireTool(t, "the AWS CLI", func() error {
		_, err := exec.LookPath("aws")
		return err
	})
	requireTool(t, "openssl", func() error {
		_, err := exec.LookPath("openssl")
		return err
	})
	runWalkthrough(t, "bash", "../scripts/cli-import.sh")
}
