package policy

import "testing"

func TestAuthorize(t *testing.T) {
	kpRoot := keyPolicy(t, rootStatement)
	kpAlice := keyPolicy(t, `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}`)
	kpRootDenyBob := keyPolicy(t, rootStatement+`,{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:Decrypt","Resource":"*"}`)
	kpCross := keyPolicy(t, rootStatement+`,{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::444455556666:user/dave"]},"Action":"kms:Encrypt","Resource":"*"}`)
	idAllow := identityPolicy(t, `{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt","kms:CreateKey"],"Resource":"*"}`)
	idAllowKeys := identityPolicy(t, `{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:*:111122223333:key/*"}`)
	idDeny := identityPolicy(t, `{"Effect":"Deny","Action":"kms:*","Resource":"*"}`)
	grantBob := []Grant{{Grantee: bob, Operations: []string{"Encrypt", "Decrypt"}}}

	tests := []struct {
		name     string
		key      *Policy
		identity []*Policy
		grants   []Grant
		r        *Request
		want     Decision
		typ      PolicyType
		reason   string
	}{
		{"root delegation with identity policy", kpRoot, []*Policy{idAllow}, nil, req("kms:Encrypt", user("bob")), Allow, IdentityBased, reasonDelegated},
		{"root delegation, identity policy for keys", kpRoot, []*Policy{idAllowKeys}, nil, req("kms:Encrypt", user("bob")), Allow, IdentityBased, reasonDelegated},
		{"root delegation without identity policy", kpRoot, nil, nil, req("kms:Encrypt", user("bob")), ImplicitDeny, IdentityBased, reasonNoIdentity},
		{"root delegation, identity policy for another action", kpRoot, []*Policy{idAllowKeys}, nil, req("kms:Decrypt", user("bob")), ImplicitDeny, IdentityBased, reasonNoIdentity},
		{"user named in key policy, no identity policy", kpAlice, nil, nil, req("kms:Encrypt", user("alice")), Allow, ResourceBased, reasonKeyAllow},
		{"identity policy without delegation", kpAlice, []*Policy{idAllow}, nil, req("kms:Encrypt", user("bob")), ImplicitDeny, ResourceBased, reasonNoKeyAllow},
		{"identity deny works without delegation", kpAlice, []*Policy{idDeny}, nil, req("kms:Encrypt", user("alice")), ExplicitDeny, IdentityBased, reasonIdentityDeny},
		{"key policy deny beats identity allow", kpRootDenyBob, []*Policy{idAllow}, nil, req("kms:Decrypt", user("bob")), ExplicitDeny, ResourceBased, reasonKeyDeny},
		{"key policy deny, other action still delegated", kpRootDenyBob, []*Policy{idAllow}, nil, req("kms:Encrypt", user("bob")), Allow, IdentityBased, reasonDelegated},
		{"second identity policy denies", kpRoot, []*Policy{idAllow, idDeny}, nil, req("kms:Encrypt", user("bob")), ExplicitDeny, IdentityBased, reasonIdentityDeny},
		{"account root user through delegation", kpRoot, nil, nil, req("kms:ScheduleKeyDeletion", rootUser()), Allow, ResourceBased, reasonKeyAllow},
		{"account root user not in key policy", kpAlice, nil, nil, req("kms:Encrypt", rootUser()), ImplicitDeny, ResourceBased, reasonNoKeyAllow},
		{"grant allows", kpAlice, nil, grantBob, req("kms:Decrypt", user("bob")), Allow, GrantBased, reasonGrant},
		{"grant for another operation", kpAlice, nil, grantBob, req("kms:ReEncryptFrom", user("bob")), ImplicitDeny, ResourceBased, reasonNoKeyAllow},
		{"grant for another grantee", kpAlice, nil, grantBob, req("kms:Decrypt", user("carol")), ImplicitDeny, ResourceBased, reasonNoKeyAllow},
		{"key policy deny beats grant", kpRootDenyBob, nil, grantBob, req("kms:Decrypt", user("bob")), ExplicitDeny, ResourceBased, reasonKeyDeny},
		{"identity deny beats grant", kpAlice, []*Policy{idDeny}, grantBob, req("kms:Decrypt", user("bob")), ExplicitDeny, IdentityBased, reasonIdentityDeny},
		{"grant to the account needs identity policy", kpAlice, nil, []Grant{{Grantee: rootARN, Operations: []string{"Decrypt"}}}, req("kms:Decrypt", user("bob")), ImplicitDeny, ResourceBased, reasonNoKeyAllow},
		{"grant to the account with identity policy", kpAlice, []*Policy{idAllow}, []Grant{{Grantee: rootARN, Operations: []string{"Decrypt"}}}, req("kms:Decrypt", user("bob")), Allow, GrantBased, reasonGrant},
		{"no key: identity policy allows", nil, []*Policy{idAllow}, nil, &Request{Action: "kms:CreateKey", Resource: "*", Principal: user("bob")}, Allow, IdentityBased, reasonIdentityAllow},
		{"no key: nothing allows", nil, nil, nil, &Request{Action: "kms:CreateKey", Resource: "*", Principal: user("bob")}, ImplicitDeny, IdentityBased, reasonNoIdentityAcc},
		{"no key: identity deny", nil, []*Policy{idAllow, idDeny}, nil, &Request{Action: "kms:CreateKey", Resource: "*", Principal: user("bob")}, ExplicitDeny, IdentityBased, reasonIdentityDeny},
		{"no key: root user", nil, nil, nil, &Request{Action: "kms:ListKeys", Resource: "*", Principal: rootUser()}, Allow, NoPolicy, reasonRootAccount},
		{"no key: identity policy for keys only", nil, []*Policy{idAllowKeys}, nil, &Request{Action: "kms:Encrypt", Resource: "*", Principal: user("bob")}, ImplicitDeny, IdentityBased, reasonNoIdentityAcc},
		{"cross-account via account principal and identity", kpCross, []*Policy{idAllow}, nil, req("kms:Encrypt", otherUser("erin")), Allow, IdentityBased, reasonDelegated},
		{"cross-account without identity policy", kpCross, nil, nil, req("kms:Encrypt", otherUser("erin")), ImplicitDeny, IdentityBased, reasonNoIdentity},
		{"cross-account user named still needs identity", kpCross, nil, nil, req("kms:Encrypt", otherUser("dave")), ImplicitDeny, IdentityBased, reasonNoIdentity},
		{"cross-account user named with identity", kpCross, []*Policy{idAllow}, nil, req("kms:Encrypt", otherUser("dave")), Allow, ResourceBased, reasonKeyAllow},
		{"cross-account root user", kpCross, nil, nil, req("kms:Encrypt", Principal{ARN: "arn:aws:iam::444455556666:root", AccountID: other}), Allow, ResourceBased, reasonKeyAllow},
		{"cross-account not allowed by key", kpRoot, []*Policy{idAllow}, nil, req("kms:Encrypt", otherUser("erin")), ImplicitDeny, ResourceBased, reasonNoKeyAllow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Authorize(tc.key, tc.identity, tc.grants, tc.r)
			if res.Decision != tc.want || res.Type != tc.typ || res.Reason != tc.reason {
				t.Errorf("Authorize = %+v; want %v, type %v, %q", res, tc.want, tc.typ, tc.reason)
			}
		})
	}
}

// TestConsoleKeyPolicy parses the key policy the AWS KMS console writes and
// checks its key administrators, key users and persistent-resources
// statements.
func TestConsoleKeyPolicy(t *testing.T) {
	p := mustParse(t, consolePolicy, KeyPolicy)
	if len(p.Statements) != 4 || p.ID != "key-consolepolicy-3" || p.Statements[2].Sid != "Allow use of the key" {
		t.Fatalf("parsed %+v", p)
	}
	admin := user("KMSAdminUser")
	example := user("ExampleUser")
	tests := []struct {
		name string
		r    *Request
		want Decision
		stmt int
	}{
		{"admin schedules deletion", req("kms:ScheduleKeyDeletion", admin), Allow, 1},
		{"admin changes the policy", req("kms:PutKeyPolicy", admin), Allow, 1},
		{"admin creates an alias", req("kms:CreateAlias", admin), Allow, 1},
		{"admin cannot decrypt without IAM", req("kms:Decrypt", admin), ImplicitDeny, -1},
		{"user encrypts", req("kms:Encrypt", example), Allow, 2},
		{"user re-encrypts", req("kms:ReEncryptFrom", example), Allow, 2},
		{"user generates a data key pair", req("kms:GenerateDataKeyPairWithoutPlaintext", example), Allow, 2},
		{"user cannot schedule deletion", req("kms:ScheduleKeyDeletion", example), ImplicitDeny, -1},
		{"user grant for an AWS resource", req("kms:CreateGrant", example, "kms:GrantIsForAWSResource", "true"), Allow, 3},
		{"user grant not for an AWS resource", req("kms:CreateGrant", example, "kms:GrantIsForAWSResource", "false"), ImplicitDeny, -1},
		{"user grant, condition key absent", req("kms:CreateGrant", example), ImplicitDeny, -1},
		{"root user does anything", req("kms:Decrypt", rootUser()), Allow, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Authorize(p, nil, nil, tc.r)
			if res.Decision != tc.want || res.Statement != tc.stmt {
				t.Errorf("Authorize = %+v; want %v by statement %d", res, tc.want, tc.stmt)
			}
		})
	}
	if LocksOut(p, *req("kms:CreateKey", admin)) || LocksOut(p, *req("kms:CreateKey", example)) {
		t.Error("the console policy must not lock out its creator")
	}
}

func TestLocksOut(t *testing.T) {
	tests := []struct {
		name  string
		stmts string
		r     *Request
		want  bool
	}{
		{"default key policy", rootStatement, req("kms:CreateKey", user("alice")), false},
		{"caller named", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Put*","Resource":"*"}`, req("kms:PutKeyPolicy", user("alice")), false},
		{"caller not named", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"}`, req("kms:PutKeyPolicy", user("bob")), true},
		{"caller named for other actions only", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Encrypt","Resource":"*"}`, req("kms:PutKeyPolicy", user("alice")), true},
		{"explicit deny of PutKeyPolicy", rootStatement + `,{"Effect":"Deny","Principal":"*","Action":"kms:PutKeyPolicy","Resource":"*"}`, req("kms:PutKeyPolicy", user("alice")), true},
		{"condition holds now", `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`, req("kms:PutKeyPolicy", user("alice"), "aws:SourceIp", "10.1.1.1"), false},
		{"condition fails now", `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`, req("kms:PutKeyPolicy", user("alice"), "aws:SourceIp", "192.0.2.1"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LocksOut(keyPolicy(t, tc.stmts), *tc.r); got != tc.want {
				t.Errorf("LocksOut = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDeniedMessage(t *testing.T) {
	kpRoot := keyPolicy(t, rootStatement)
	kpDeny := keyPolicy(t, rootStatement+`,{"Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}`)
	kpAlice := keyPolicy(t, `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:*","Resource":"*"}`)
	idDeny := identityPolicy(t, `{"Effect":"Deny","Action":"kms:*","Resource":"*"}`)
	app := Principal{ARN: "arn:aws:iam::111122223333:user/app", AccountID: acct, UserName: "app"}
	prefix := "User: arn:aws:iam::111122223333:user/app is not authorized to perform: kms:ScheduleKeyDeletion on resource: " + keyARN
	tests := []struct {
		name     string
		key      *Policy
		identity []*Policy
		r        *Request
		want     string
	}{
		{"no resource-based policy", kpAlice, nil, req("kms:ScheduleKeyDeletion", app), prefix + " because no resource-based policy allows the kms:ScheduleKeyDeletion action"},
		{"no identity-based policy", kpRoot, nil, req("kms:ScheduleKeyDeletion", app), prefix + " because no identity-based policy allows the kms:ScheduleKeyDeletion action"},
		{"explicit deny in the key policy", kpDeny, nil, req("kms:ScheduleKeyDeletion", app), prefix + " with an explicit deny in a resource-based policy"},
		{"explicit deny in an identity policy", kpRoot, []*Policy{idDeny}, req("kms:ScheduleKeyDeletion", app), prefix + " with an explicit deny in an identity-based policy"},
		{"no key", nil, nil, &Request{Action: "kms:CreateKey", Resource: "*", Principal: app},
			"User: arn:aws:iam::111122223333:user/app is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action"},
		{"allowed", kpAlice, nil, req("kms:ScheduleKeyDeletion", user("alice")), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DeniedMessage(tc.r, Authorize(tc.key, tc.identity, nil, tc.r))
			if got != tc.want {
				t.Errorf("DeniedMessage =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
