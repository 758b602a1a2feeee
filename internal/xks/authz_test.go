package xks

import (
	"testing"

	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

func TestAuthorize(t *testing.T) {
	const alice = "arn:aws:iam::111122223333:user/alice"
	rules := []xksconfig.Rule{
		{Principal: alice, Operations: []string{"Encrypt", "GenerateDataKey"}},
		{Principal: "*", Operations: []string{"Decrypt"}},
		{Principal: "ec2.amazonaws.com", Operations: []string{"*"}},
	}
	for _, tc := range []struct {
		name      string
		rules     []xksconfig.Rule
		principal string
		op        string
		want      bool
	}{
		{"no rules", nil, "anyone", "Encrypt", true},
		{"named principal and operation", rules, alice, "GenerateDataKey", true},
		{"named principal, other operation", rules, alice, "ReEncrypt", false},
		{"other principal", rules, "arn:aws:iam::111122223333:user/bob", "Encrypt", false},
		{"any principal rule", rules, "arn:aws:iam::111122223333:user/bob", "Decrypt", true},
		{"any operation rule", rules, "ec2.amazonaws.com", "SomeFutureOperation", true},
		{"prefix is not a match", rules, alice + "x", "Encrypt", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := authorize(tc.rules, tc.principal, tc.op); got != tc.want {
				t.Fatalf("authorize(%s, %s) = %t, want %t", tc.principal, tc.op, got, tc.want)
			}
		})
	}
}
