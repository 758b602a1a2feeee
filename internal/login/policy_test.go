package login

import (
	"strings"
	"testing"
)

func TestDefaultPolicy(t *testing.T) {
	for _, tc := range []struct {
		name, password string
		ok             bool
		reason         string // part of one reason, when refused
	}{
		{"three kinds", "Abcdefg1", true, ""},
		{"upper lower symbol", "Abcdefg!", true, ""},
		{"lower digit symbol", "abcdef1'", true, ""},
		{"all four", "Ab1!Ab1!Ab1!", true, ""},
		{"two kinds", "abcdefg1", false, "needs 3"},
		{"one kind", "abcdefghijkl", false, "needs 3"},
		{"non-IAM symbol does not count", "abcdefg1~", false, "needs 3"},
		{"short", "Ab1!", false, "shorter than 8"},
		{"128 characters", "Ab1" + strings.Repeat("x", 125), true, ""},
		{"129 characters", "Ab1" + strings.Repeat("x", 126), false, "longer than 128"},
		{"length in characters, not bytes", "Ab1éééé", false, "shorter than 8"},
		{"latin-1 allowed", "Ab1ééééé", true, ""},
		{"beyond U+00FF", "Ab1xxxx€", false, "characters other than"},
		{"invalid UTF-8", "Ab1xxxx\xff", false, "characters other than"},
		{"control character", "Ab1xxxx\x00", false, "characters other than"},
		{"the user's name", "Alice-Admin1", false, "user's name"},
		{"containing the name is allowed", "Alice-Admin12", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := DefaultPolicy.Check(tc.password, "111122223333", "alice-admin1")
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err.(*PolicyError).Reasons)
				}
				return
			}
			pe, isPE := err.(*PolicyError)
			if !isPE {
				t.Fatalf("Check = %v, want a *PolicyError", err)
			}
			if err.Error() != "Password does not conform to the account password policy." {
				t.Errorf("message %q is not IAM's", err.Error())
			}
			if !strings.Contains(strings.Join(pe.Reasons, "; "), tc.reason) {
				t.Errorf("reasons %q do not say %q", pe.Reasons, tc.reason)
			}
			if strings.Contains(strings.Join(pe.Reasons, ""), tc.password) {
				t.Error("a reason holds the password")
			}
		})
	}
}

func TestPolicyKnobs(t *testing.T) {
	strict := Policy{MinLength: 6, MaxLength: 128, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}
	for _, tc := range []struct {
		password string
		missing  string
	}{
		{"abc1!x", "upper-case"},
		{"ABC1!X", "lower-case"},
		{"Abcd!x", "digit"},
		{"Abcd1x", "symbol"},
		{"Abc1!x", ""},
	} {
		t.Run(tc.password, func(t *testing.T) {
			err := strict.Check(tc.password)
			if tc.missing == "" {
				if err != nil {
					t.Fatalf("refused: %v", err.(*PolicyError).Reasons)
				}
				return
			}
			pe, ok := err.(*PolicyError)
			if !ok || len(pe.Reasons) != 1 || !strings.Contains(pe.Reasons[0], tc.missing) {
				t.Errorf("Check = %v, want the one reason %q", err, tc.missing)
			}
		})
	}
	if !DefaultPolicy.IsDefault() || strict.IsDefault() {
		t.Error("IsDefault is wrong")
	}
}
