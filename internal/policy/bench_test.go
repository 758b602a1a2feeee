package policy

import (
	"testing"
	"time"
)

// realisticPolicy is a key policy as a team writes one: the account
// delegation, key administrators, key users, the persistent-resources
// statement (the one with a condition) and an application role.
const realisticPolicy = `{
  "Version": "2012-10-17",
  "Id": "key-app-1",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::111122223333:user/KMSAdminUser", "arn:aws:iam::111122223333:role/KMSAdminRole"]},
     "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
       "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
     "Resource": "*"},
    {"Sid": "Allow use of the key", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser", "arn:aws:iam::111122223333:role/ExampleRole"]},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"},
    {"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser", "arn:aws:iam::111122223333:role/ExampleRole"]},
     "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
     "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    {"Sid": "Allow the application role", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
     "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": "*"}
  ]
}`

func benchRequests() map[string]*Request {
	ctx := map[string][]string{
		"aws:sourceip":                  {"203.0.113.7"},
		"aws:securetransport":           {"true"},
		"kms:encryptioncontext:purpose": {"backup"},
		"kms:encryptioncontextkeys":     {"purpose"},
	}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	mk := func(action string, p Principal, extra ...string) *Request {
		c := ctx
		if len(extra) > 0 {
			c = map[string][]string{}
			for k, v := range ctx {
				c[k] = v
			}
			c[extra[0]] = []string{extra[1]}
		}
		return &Request{Action: action, Resource: keyARN, Principal: p, Context: c, Time: now,
			EncryptionContext: map[string]string{"purpose": "backup"}}
	}
	return map[string]*Request{
		"encrypt":   mk("kms:Encrypt", user("ExampleUser")),
		"delegated": mk("kms:Encrypt", user("ops")),
		"condition": mk("kms:CreateGrant", user("ExampleUser"), "kms:grantisforawsresource", "true"),
		"denied":    mk("kms:ScheduleKeyDeletion", user("ExampleUser")),
	}
}

// BenchmarkAuthorizeRealistic authorises requests against realisticPolicy,
// parsed once: "encrypt" is kms:Encrypt by a key user; "delegated" goes
// through the account delegation to an identity policy; "condition" is
// kms:CreateGrant, which evaluates the Bool condition; "denied" reaches an
// implicit deny after every statement.
func BenchmarkAuthorizeRealistic(b *testing.B) {
	key := mustParse(b, realisticPolicy, KeyPolicy)
	identity := []*Policy{mustParse(b, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"arn:aws:kms:*:111122223333:key/*"}]}`, IdentityPolicy)}
	reqs := benchRequests()
	for _, name := range []string{"encrypt", "delegated", "condition", "denied"} {
		r := reqs[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Authorize(key, identity, nil, r)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(realisticPolicy, KeyPolicy); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAuthorizeDoesNotAllocate holds the hot path to zero allocations.
func TestAuthorizeDoesNotAllocate(t *testing.T) {
	key := mustParse(t, realisticPolicy, KeyPolicy)
	identity := []*Policy{identityPolicy(t, `{"Effect":"Allow","Action":["kms:Encrypt"],"Resource":"arn:aws:kms:*:111122223333:key/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"StringEquals":{"kms:EncryptionContext:purpose":"backup"},"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["purpose"]},"StringEqualsIfExists":{"kms:RequestAlias":"alias/app"}}}`)}
	grants := []Grant{{Grantee: "arn:aws:iam::111122223333:user/ops", Operations: []string{"Decrypt"}, EncryptionContextSubset: map[string]string{"purpose": "backup"}}}
	want := map[string]Decision{"encrypt": Allow, "delegated": Allow, "condition": Allow, "denied": ImplicitDeny}
	for name, r := range benchRequests() {
		if got := Authorize(key, identity, grants, r).Decision; got != want[name] {
			t.Errorf("%s: %v, want %v", name, got, want[name])
		}
		if n := testing.AllocsPerRun(100, func() { Authorize(key, identity, grants, r) }); n != 0 {
			t.Errorf("%s: %v allocations per Authorize", name, n)
		}
	}
	r := *benchRequests()["delegated"]
	r.Action = "kms:Decrypt"
	if got := Authorize(key, identity, grants, &r); got.Decision != Allow || got.Type != GrantBased {
		t.Errorf("grant: %+v", got)
	}
	if n := testing.AllocsPerRun(100, func() { Authorize(key, identity, grants, &r) }); n != 0 {
		t.Errorf("grant: %v allocations per Authorize", n)
	}
}
