package byokflow

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func TestHMACSpec(t *testing.T) {
	for _, c := range []struct {
		bytes int
		want  types.KeySpec
	}{
		{28, types.KeySpecHmac224}, {31, types.KeySpecHmac224}, {32, types.KeySpecHmac256}, {47, types.KeySpecHmac256},
		{48, types.KeySpecHmac384}, {64, types.KeySpecHmac512}, {128, types.KeySpecHmac512}, {27, ""}, {129, ""},
	} {
		got, err := hmacSpec(c.bytes)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("hmacSpec(%d) = %q, %v; want %q", c.bytes, got, err, c.want)
		}
	}
	for spec, want := range map[string]types.KeyUsageType{"HMAC_256": types.KeyUsageTypeGenerateVerifyMac,
		"RSA_2048": types.KeyUsageTypeSignVerify, "ECC_NIST_P384": types.KeyUsageTypeSignVerify} {
		if got := keyUsage(spec); got != want {
			t.Errorf("keyUsage(%s) = %s, want %s", spec, got, want)
		}
	}
}
