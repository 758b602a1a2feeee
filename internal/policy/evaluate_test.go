package policy

import "testing"

func TestEvaluate(t *testing.T) {
	const (
		allowAlice = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*"}`
		denyAll    = `{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}`
	)
	tests := []struct {
		name  string
		stmts string
		r     *Request
		want  Decision
		stmt  int
	}{
		{"allow", allowAlice, req("kms:Encrypt", user("alice")), Allow, 0},
		{"no matching action", allowAlice, req("kms:Decrypt", user("alice")), ImplicitDeny, -1},
		{"no matching principal", allowAlice, req("kms:Encrypt", user("bob")), ImplicitDeny, -1},
		{"explicit deny overrides allow", allowAlice + "," + denyAll, req("kms:Encrypt", user("alice")), ExplicitDeny, 1},
		{"deny first", denyAll + "," + allowAlice, req("kms:Encrypt", user("alice")), ExplicitDeny, 0},
		{"action case-insensitive", allowAlice, req("KMS:encrypt", user("alice")), Allow, 0},
		{"principal list", `{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/bob","arn:aws:iam::111122223333:user/alice"]},"Action":"kms:Encrypt","Resource":"*"}`,
			req("kms:Encrypt", user("alice")), Allow, 0},
		{"principal star string", `{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}`,
			req("kms:Encrypt", otherUser("carol")), Allow, 0},
		{"principal AWS star", `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*"}`,
			req("kms:Encrypt", user("bob")), Allow, 0},
		{"account principal is not a user", `{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}`,
			req("kms:Encrypt", user("alice")), ImplicitDeny, -1},
		{"account ID allows the root user", `{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}`,
			req("kms:Encrypt", rootUser()), Allow, 0},
		{"account root ARN allows the root user", rootStatement, req("kms:Encrypt", rootUser()), Allow, 0},
		{"deny to the account denies its users", `{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}`,
			req("kms:Encrypt", user("alice")), ExplicitDeny, 0},
		{"action star", `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`, req("kms:ScheduleKeyDeletion", user("bob")), Allow, 0},
		{"action prefix wildcard", `{"Effect":"Allow","Principal":"*","Action":"kms:GenerateDataKey*","Resource":"*"}`,
			req("kms:GenerateDataKeyPairWithoutPlaintext", user("bob")), Allow, 0},
		{"action prefix no match", `{"Effect":"Allow","Principal":"*","Action":"kms:GenerateDataKey*","Resource":"*"}`,
			req("kms:Decrypt", user("bob")), ImplicitDeny, -1},
		{"action inner wildcard", `{"Effect":"Allow","Principal":"*","Action":"kms:*Key","Resource":"*"}`,
			req("kms:DescribeKey", user("bob")), Allow, 0},
		{"action question mark", `{"Effect":"Allow","Principal":"*","Action":"kms:?ncrypt","Resource":"*"}`,
			req("kms:Encrypt", user("bob")), Allow, 0},
		{"action question mark one char only", `{"Effect":"Allow","Principal":"*","Action":"kms:?crypt","Resource":"*"}`,
			req("kms:Encrypt", user("bob")), ImplicitDeny, -1},
		{"NotAction allows others", `{"Effect":"Allow","Principal":"*","NotAction":["kms:Decrypt","kms:Schedule*"],"Resource":"*"}`,
			req("kms:Encrypt", user("bob")), Allow, 0},
		{"NotAction excludes listed", `{"Effect":"Allow","Principal":"*","NotAction":["kms:Decrypt","kms:Schedule*"],"Resource":"*"}`,
			req("kms:ScheduleKeyDeletion", user("bob")), ImplicitDeny, -1},
		{"resource exact", `{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"` + keyARN + `"}`,
			req("kms:Encrypt", user("bob")), Allow, 0},
		{"resource wildcard", `{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"arn:aws:kms:*:111122223333:key/*"}`,
			req("kms:Encrypt", user("bob")), Allow, 0},
		{"resource wildcard other account", `{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"arn:aws:kms:*:444455556666:key/*"}`,
			req("kms:Encrypt", user("bob")), ImplicitDeny, -1},
		{"resource wildcard stays in its field", `{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"arn:aws:kms:*:key/*"}`,
			req("kms:Encrypt", user("bob")), ImplicitDeny, -1},
		{"resource short pattern", `{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"arn:aws:kms:*"}`,
			req("kms:Encrypt", user("bob")), Allow, 0},
		{"resource case-sensitive", `{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"ARN:aws:kms:us-east-1:111122223333:key/*"}`,
			req("kms:Encrypt", user("bob")), ImplicitDeny, -1},
		{"NotResource excludes the key", `{"Effect":"Deny","Principal":"*","Action":"kms:*","NotResource":"` + keyARN + `"},` + allowAlice,
			req("kms:Encrypt", user("alice")), Allow, 1},
		{"NotResource applies to other keys", `{"Effect":"Deny","Principal":"*","Action":"kms:*","NotResource":"arn:aws:kms:*:*:key/other"}`,
			req("kms:Encrypt", user("alice")), ExplicitDeny, 0},
		{"NotPrincipal deny spares user and account", `{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice","111122223333"]},"Action":"kms:*","Resource":"*"},` + allowAlice,
			req("kms:Encrypt", user("alice")), Allow, 1},
		{"NotPrincipal deny hits others", `{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice","111122223333"]},"Action":"kms:*","Resource":"*"}`,
			req("kms:Encrypt", user("bob")), ExplicitDeny, 0},
		{"NotPrincipal deny naming only the user still denies it", `{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"}`,
			req("kms:Encrypt", user("alice")), ExplicitDeny, 0},
		{"NotPrincipal deny spares the listed root", `{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`,
			req("kms:Encrypt", rootUser()), ImplicitDeny, -1},
		{"NotPrincipal deny spares a listed service", `{"Effect":"Deny","NotPrincipal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:*","Resource":"*"}`,
			req("kms:Encrypt", Principal{ARN: "cloudtrail.amazonaws.com"}), ImplicitDeny, -1},
		{"NotPrincipal allow others", `{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"}`,
			req("kms:Encrypt", user("bob")), Allow, 0},
		{"NotPrincipal allow excludes listed", `{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"}`,
			req("kms:Encrypt", user("alice")), ImplicitDeny, -1},
		{"statement without Resource has no effect", `{"Effect":"Allow","Principal":"*","Action":"kms:*"}`,
			req("kms:Encrypt", user("alice")), ImplicitDeny, -1},
		{"statement without Action has no effect", `{"Effect":"Deny","Principal":"*","Resource":"*"},` + allowAlice,
			req("kms:Encrypt", user("alice")), Allow, 1},
		{"principal ARN case-insensitive", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:Encrypt","Resource":"*"}`,
			req("kms:Encrypt", user("alice")), Allow, 0},
		{"service principal", `{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"}`,
			req("kms:GenerateDataKey", Principal{ARN: "cloudtrail.amazonaws.com"}), Allow, 0},
		{"service principal is not a user", `{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"}`,
			req("kms:GenerateDataKey", user("alice")), ImplicitDeny, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := keyPolicy(t, tc.stmts)
			got, idx := p.Evaluate(tc.r)
			if got != tc.want || idx != tc.stmt {
				t.Errorf("Evaluate = %v, %d; want %v, %d", got, idx, tc.want, tc.stmt)
			}
		})
	}
}

func TestEvaluateIdentityPolicy(t *testing.T) {
	p := identityPolicy(t, `{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"arn:aws:kms:us-east-1:111122223333:key/*"},
		{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)
	tests := []struct {
		name string
		r    *Request
		want Decision
	}{
		{"allowed", req("kms:Encrypt", user("alice")), Allow},
		{"any caller: no principal to match", req("kms:Encrypt", user("bob")), Allow},
		{"other action", req("kms:ScheduleKeyDeletion", user("alice")), ImplicitDeny},
		{"other region", &Request{Action: "kms:Encrypt", Resource: "arn:aws:kms:eu-west-1:111122223333:key/x", Principal: user("alice")}, ImplicitDeny},
		{"denied over http", req("kms:Decrypt", user("alice"), "aws:SecureTransport", "false"), ExplicitDeny},
		{"allowed over https", req("kms:Decrypt", user("alice"), "aws:SecureTransport", "true"), Allow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := p.Evaluate(tc.r); got != tc.want {
				t.Errorf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPolicyVariables(t *testing.T) {
	const stmt = `{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*",
		"Condition":{"StringEquals":{"kms:EncryptionContext:user":"${aws:username}"}}}`
	tests := []struct {
		name    string
		version string
		r       *Request
		want    Decision
	}{
		{"2012 expands", "2012-10-17", req("kms:Encrypt", user("alice"), "kms:encryptioncontext:user", "alice"), Allow},
		{"2012 other user", "2012-10-17", req("kms:Encrypt", user("bob"), "kms:encryptioncontext:user", "alice"), ImplicitDeny},
		{"2012 root has no user name: statement does not apply", "2012-10-17", req("kms:Encrypt", rootUser(), "kms:encryptioncontext:user", ""), ImplicitDeny},
		{"2008 is literal", "2008-10-17", req("kms:Encrypt", user("alice"), "kms:encryptioncontext:user", "alice"), ImplicitDeny},
		{"2008 literal matches literally", "2008-10-17", req("kms:Encrypt", user("alice"), "kms:encryptioncontext:user", "${aws:username}"), Allow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, `{"Version":"`+tc.version+`","Statement":[`+stmt+`]}`, KeyPolicy)
			if got, _ := p.Evaluate(tc.r); got != tc.want {
				t.Errorf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}

	more := []struct {
		name  string
		stmts string
		r     *Request
		want  Decision
	}{
		{"resource variable", `{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/${aws:username}-*"}`,
			&Request{Action: "kms:Encrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/alice-1", Principal: user("alice")}, Allow},
		{"resource variable other user", `{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/${aws:username}-*"}`,
			&Request{Action: "kms:Encrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/alice-1", Principal: user("bob")}, ImplicitDeny},
		{"PrincipalArn variable", `{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:owner":"${aws:PrincipalArn}"}}}`,
			req("kms:Encrypt", user("alice"), "kms:encryptioncontext:owner", alice), Allow},
		{"default value", `{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:team":"${aws:PrincipalTag/team, 'none'}"}}}`,
			req("kms:Encrypt", user("alice"), "kms:encryptioncontext:team", "none"), Allow},
		{"literal star escape in StringLike", `{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:x":"a${*}"}}}`,
			req("kms:Encrypt", user("alice"), "kms:encryptioncontext:x", "a*"), Allow},
		{"literal star escape is not a wildcard", `{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:x":"a${*}"}}}`,
			req("kms:Encrypt", user("alice"), "kms:encryptioncontext:x", "abc"), ImplicitDeny},
		{"unresolved variable in deny: statement does not apply", `{"Effect":"Deny","Action":"kms:Encrypt","Resource":"*","Condition":{"StringNotEquals":{"kms:EncryptionContext:t":"${aws:PrincipalTag/t}"}}},{"Effect":"Allow","Action":"kms:*","Resource":"*"}`,
			req("kms:Encrypt", user("alice"), "kms:encryptioncontext:t", "x"), Allow},
	}
	for _, tc := range more {
		t.Run(tc.name, func(t *testing.T) {
			p := identityPolicy(t, tc.stmts)
			if got, _ := p.Evaluate(tc.r); got != tc.want {
				t.Errorf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"", "", true}, {"*", "", true}, {"a*", "a", true}, {"a*b", "axxb", true}, {"a*b", "axxc", false},
		{"*a*b*", "xxaxxbxx", true}, {"a?c", "abc", true}, {"a?c", "ac", false}, {"a?c", "aéc", true},
		{"**", "x", true}, {"a*a*a", "aaaa", true}, {"a*a*a", "aa", false}, {"abc", "abcd", false},
		{"a\x00*", "a*", true}, {"a\x00*", "ab", false}, {"\x00?x", "?x", true},
	}
	for _, tc := range tests {
		if got := globMatch(tc.p, tc.s, false); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.p, tc.s, got, tc.want)
		}
	}
}
