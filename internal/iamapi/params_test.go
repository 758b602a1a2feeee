package iamapi

import (
	"net/url"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/iam"
)

// validate runs read on the form and returns the ValidationError message,
// or "" when the form is valid.
func validate(form url.Values, read func(p *params)) string {
	p := newParams(form)
	read(p)
	if err := p.err(); err != nil {
		if iam.KindOf(err) != iam.ValidationError {
			panic(err)
		}
		return mustAPIError(err).Message
	}
	return ""
}

func TestParamsValidation(t *testing.T) {
	createUser := func(p *params) { p.req("UserName", ruleNewUserName); p.opt("Path", rulePath) }
	long := strings.Repeat("a", 65)
	for _, tc := range []struct {
		name string
		form url.Values
		read func(*params)
		want string
	}{
		{"valid", url.Values{"UserName": {"bob.smith+ops=1,2@x-y_z"}, "Path": {"/division/team/"}}, createUser, ""},
		{"missing", url.Values{}, createUser,
			"1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"},
		{"empty", url.Values{"UserName": {""}}, createUser,
			"1 validation error detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"pattern", url.Values{"UserName": {"bob smith"}}, createUser,
			`1 validation error detected: Value 'bob smith' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"too long and a bad path", url.Values{"UserName": {long}, "Path": {"team"}}, createUser,
			"2 validation errors detected: Value '" + long + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64; " +
				`Value 'team' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`},
		{"128-character name elsewhere", url.Values{"UserName": {strings.Repeat("a", 128)}},
			func(p *params) { p.req("UserName", ruleUserName) }, ""},
		{"non-ASCII name", url.Values{"UserName": {"bøb"}}, createUser,
			`1 validation error detected: Value 'bøb' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"status enum", url.Values{"Status": {"Expired"}}, func(p *params) { p.req("Status", ruleStatus) },
			"1 validation error detected: Value 'Expired' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"},
		{"short access key ID", url.Values{"AccessKeyId": {"AKIA"}}, func(p *params) { p.req("AccessKeyId", ruleKeyID) },
			"1 validation error detected: Value 'AKIA' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16"},
		{"document outside Latin-1", url.Values{"PolicyDocument": {`{"Sid":"✓"}`}}, func(p *params) { p.req("PolicyDocument", rulePolicyDoc) },
			`1 validation error detected: Value '{"Sid":"✓"}' at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`},
		{"path prefix", url.Values{"PathPrefix": {"/a/b"}}, func(p *params) { p.opt("PathPrefix", rulePathPrefix) }, ""},
		{"MaxItems zero", url.Values{"MaxItems": {"0"}}, func(p *params) { p.maxItems() },
			"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"MaxItems too large", url.Values{"MaxItems": {"1001"}}, func(p *params) { p.maxItems() },
			"1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"MaxItems not a number", url.Values{"MaxItems": {"ten"}}, func(p *params) { p.maxItems() },
			"1 validation error detected: Value 'ten' at 'maxItems' failed to satisfy constraint: Member must be an integer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := validate(tc.form, tc.read); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestMaxItemsDefault(t *testing.T) {
	if n := newParams(url.Values{}).maxItems(); n != 100 {
		t.Fatalf("default MaxItems = %d", n)
	}
}

func TestClipEchoedValues(t *testing.T) {
	v := strings.Repeat("é", 300)
	if got := clip(v); got != strings.Repeat("é", 256)+"..." {
		t.Fatalf("clip kept %d runes", len([]rune(got)))
	}
}
