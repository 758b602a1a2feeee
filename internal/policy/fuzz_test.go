package policy

import (
	"errors"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, refuses only with
// *MalformedError, and that whatever it accepts evaluates, authorises and
// explains itself without panicking.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		consolePolicy,
		realisticPolicy,
		`{"Version":"2012-10-17","Statement":` + rootStatement + `}`,
		`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice","111122223333"]},"NotAction":"kms:Get*","NotResource":"arn:aws:kms:*:*:key/${aws:username}"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:*:111122223333:key/${aws:username, 'x'}${*}","Condition":{"ForAnyValue:StringLikeIfExists":{"kms:ResourceAliases":"alias/${aws:username}*"},"DateGreaterThan":{"aws:CurrentTime":"2020"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"NumericLessThan":{"kms:ValidTo":1e10},"Null":{"kms:ExpirationModel":true},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/?*"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["kms:Encrypt"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"${aws:SecureTransport}"}}}]}`,
		`{"Statement":{}}`, `[]`, `{"Version":`, `""`,
	} {
		f.Add(seed)
	}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	reqs := []*Request{
		{Action: "kms:Encrypt", Resource: keyARN, Principal: user("alice"), Time: now,
			Context:           map[string][]string{"aws:sourceip": {"10.1.2.3"}, "kms:resourcealiases": {"alias/alice-1", "alias/x"}, "kms:validto": {"1700000000"}, "aws:securetransport": {"true"}},
			EncryptionContext: map[string]string{"a": "b"}},
		{Action: "kms:PutKeyPolicy", Resource: keyARN, Principal: rootUser()},
		{Action: "kms:CreateKey", Resource: "*", Principal: otherUser("x"), Context: map[string][]string{"AWS:SourceIp": {"bogus"}}},
		{Action: "", Resource: "", Principal: Principal{}},
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, kind := range []Kind{KeyPolicy, IdentityPolicy} {
			p, err := Parse(doc, kind)
			if err != nil {
				var me *MalformedError
				if !errors.As(err, &me) || me.Message == "" {
					t.Fatalf("Parse error %T %v", err, err)
				}
				continue
			}
			_ = p.Principals()
			for _, r := range reqs {
				p.Evaluate(r)
				var key *Policy
				var identity []*Policy
				if kind == KeyPolicy {
					key = p
					LocksOut(p, *r)
				} else {
					identity = []*Policy{p}
				}
				res := Authorize(key, identity, []Grant{{Grantee: r.Principal.ARN, Operations: []string{"Encrypt"}}}, r)
				DeniedMessage(r, res)
			}
		}
	})
}
