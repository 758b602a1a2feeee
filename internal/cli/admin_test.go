package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/policy"
)

func TestAdminKeyPolicy(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main([]string{"admin", "key-policy", "--account-id", "123456789012", "--admin", "kms-admin", "--admin-can-delete",
		"--user", "app", "--user", "arn:aws:iam::210987654321:user/partner"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if _, err := policy.Parse(out.String(), policy.KeyPolicy); err != nil {
		t.Fatalf("printed policy does not parse: %v\n%s", err, out.String())
	}
	for _, want := range []string{`"arn:aws:iam::123456789012:user/kms-admin"`, `"kms:ScheduleKeyDeletion"`,
		`"arn:aws:iam::123456789012:user/app"`, `"arn:aws:iam::210987654321:user/partner"`, `"arn:aws:iam::123456789012:root"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("policy lacks %s:\n%s", want, out.String())
		}
	}
	if code := Main([]string{"admin", "key-policy", "--account-id", "12"}, &out, &errOut); code != 2 {
		t.Fatalf("bad account accepted: exit %d", code)
	}
}
