package rootkey

import (
	"os"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

func TestMain(m *testing.M) { os.Exit(pkcs11test.Main(m)) }
