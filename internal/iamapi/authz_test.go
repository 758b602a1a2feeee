package iamapi

import (
	"net/url"
	"strings"
	"testing"
)

const adminARN = "arn:aws:iam::aws:policy/AdministratorAccess"

func TestUserWithoutPoliciesIsDenied(t *testing.T) {
	f := newFixture(t)
	bob := f.newUser(t, "bob")
	wantError(t, f.iam(t, bob, "ListUsers"), 403, "AccessDenied",
		"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:ListUsers on resource: "+
			"arn:aws:iam::111122223333:user/ because no identity-based policy allows the iam:ListUsers action")
	wantError(t, f.iam(t, bob, "GetUser"), 403, "AccessDenied", "iam:GetUser on resource: arn:aws:iam::111122223333:user/bob ")
	// No probing: an unknown user is denied, not reported missing.
	wantError(t, f.iam(t, bob, "DeleteUser", "UserName", "nobody"), 403, "AccessDenied", "user/nobody")
	wantError(t, f.iam(t, bob, "CreateAccessKey"), 403, "AccessDenied", "iam:CreateAccessKey")
	// STS needs no permission.
	a := must(t, f.call(t, bob, "sts", testRegion, url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}}))
	if !strings.Contains(a.body, "<Arn>arn:aws:iam::111122223333:user/bob</Arn>") || !strings.Contains(a.body, "<UserId>AIDA") {
		t.Errorf("GetCallerIdentity = %s", a.body)
	}
}

func TestAdministratorAccessAllowsIAM(t *testing.T) {
	f := newFixture(t)
	bob := f.newUser(t, "bob")
	must(t, f.iam(t, root, "AttachUserPolicy", "UserName", "bob", "PolicyArn", adminARN))
	must(t, f.iam(t, bob, "CreateUser", "UserName", "carol"))
	must(t, f.iam(t, bob, "ListUsers"))
	a := must(t, f.iam(t, bob, "GetUser"))
	if !strings.Contains(a.body, "<UserName>bob</UserName>") {
		t.Errorf("GetUser of the caller = %s", a.body)
	}
	// Its own second key, and no third.
	must(t, f.iam(t, bob, "CreateAccessKey"))
	wantError(t, f.iam(t, bob, "CreateAccessKey"), 409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	// An explicit Deny wins over AdministratorAccess.
	must(t, f.iam(t, root, "PutUserPolicy", "UserName", "bob", "PolicyName", "no-delete", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}`))
	wantError(t, f.iam(t, bob, "DeleteUser", "UserName", "carol"), 403, "AccessDenied",
		"on resource: arn:aws:iam::111122223333:user/carol with an explicit deny in an identity-based policy")
	// Even a Deny of everything leaves GetCallerIdentity.
	must(t, f.iam(t, root, "PutUserPolicy", "UserName", "bob", "PolicyName", "no-delete", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`))
	must(t, f.call(t, bob, "sts", testRegion, url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}}))
}

func TestInlinePolicyScopesActions(t *testing.T) {
	f := newFixture(t)
	bob := f.newUser(t, "bob")
	must(t, f.iam(t, root, "CreateUser", "UserName", "carol", "Path", "/ops/"))
	// Bob may manage his own keys (policy variable), read users under
	// /ops/, and attach only the KMS power-user policy.
	must(t, f.iam(t, root, "PutUserPolicy", "UserName", "bob", "PolicyName", "self", "PolicyDocument", `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["iam:*AccessKey*", "iam:GetUser"], "Resource": "arn:aws:iam::111122223333:user/${aws:username}"},
    {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::111122223333:user/ops/*"},
    {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*",
     "Condition": {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"}}}
  ]
}`))
	must(t, f.iam(t, bob, "ListAccessKeys"))
	must(t, f.iam(t, bob, "GetUser"))
	must(t, f.iam(t, bob, "GetUser", "UserName", "carol"))
	wantError(t, f.iam(t, bob, "ListAccessKeys", "UserName", "carol"), 403, "AccessDenied", "user/ops/carol")
	must(t, f.iam(t, bob, "AttachUserPolicy", "UserName", "carol", "PolicyArn", "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"))
	wantError(t, f.iam(t, bob, "AttachUserPolicy", "UserName", "carol", "PolicyArn", adminARN), 403, "AccessDenied", "iam:AttachUserPolicy")
}

func TestOrderOfChecks(t *testing.T) {
	f := newFixture(t)
	bob := f.newUser(t, "bob")
	// Validation comes before authorization, authorization before existence.
	wantError(t, f.iam(t, bob, "DeleteUser", "UserName", "a b"), 400, "ValidationError", "userName")
	wantError(t, f.iam(t, bob, "DeleteUser", "UserName", "nobody"), 403, "AccessDenied", "")
	wantError(t, f.iam(t, root, "DeleteUser", "UserName", "nobody"), 404, "NoSuchEntity", "The user with name nobody cannot be found.")
}
