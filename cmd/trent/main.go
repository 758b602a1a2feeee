// Command trent is an AWS KMS compatible key management service and the
// tooling to bring keys into it from a PKCS#11 HSM. See the README.
package main

import (
	"os"

	"github.com/trent-kms/trent/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
