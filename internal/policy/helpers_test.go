package policy

import (
	"strings"
	"testing"
)

const (
	acct    = "111122223333"
	other   = "444455556666"
	rootARN = "arn:aws:iam::111122223333:root"
	alice   = "arn:aws:iam::111122223333:user/alice"
	bob     = "arn:aws:iam::111122223333:user/bob"
	keyARN  = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

func user(name string) Principal {
	return Principal{ARN: "arn:aws:iam::" + acct + ":user/" + name, AccountID: acct, UserName: name}
}

func rootUser() Principal { return Principal{ARN: rootARN, AccountID: acct} }

func otherUser(name string) Principal {
	return Principal{ARN: "arn:aws:iam::" + other + ":user/" + name, AccountID: other, UserName: name}
}

// req builds a request for action on the test key by p, with context pairs
// given as "key", "value", ... (a key repeated adds a value).
func req(action string, p Principal, kv ...string) *Request {
	r := &Request{Action: action, Resource: keyARN, Principal: p}
	if len(kv) > 0 {
		r.Context = map[string][]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			k := strings.ToLower(kv[i])
			r.Context[k] = append(r.Context[k], kv[i+1])
		}
	}
	return r
}

func mustParse(t testing.TB, doc string, kind Kind) *Policy {
	t.Helper()
	p, err := Parse(doc, kind)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	return p
}

// keyPolicy wraps statements (JSON objects, comma-separated) in a
// 2012-10-17 document.
func keyPolicy(t testing.TB, statements string) *Policy {
	t.Helper()
	return mustParse(t, `{"Version":"2012-10-17","Statement":[`+statements+`]}`, KeyPolicy)
}

func identityPolicy(t testing.TB, statements string) *Policy {
	t.Helper()
	return mustParse(t, `{"Version":"2012-10-17","Statement":[`+statements+`]}`, IdentityPolicy)
}

// rootStatement is the default key policy's "Enable IAM policies" statement.
const rootStatement = `{"Sid":"Enable IAM policies","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`

// consolePolicy is the key policy the AWS KMS console creates, with key
// administrators, key users and the persistent-resources statement.
const consolePolicy = `{
  "Version": "2012-10-17",
  "Id": "key-consolepolicy-3",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "Allow access for Key Administrators",
      "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111122223333:user/KMSAdminUser", "arn:aws:iam::111122223333:role/KMSAdminRole"]},
      "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
        "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
        "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
      "Resource": "*"
    },
    {
      "Sid": "Allow use of the key",
      "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser", "arn:aws:iam::111122223333:role/ExampleRole", "arn:aws:iam::444455556666:root"]},
      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      "Resource": "*"
    },
    {
      "Sid": "Allow attachment of persistent resources",
      "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser", "arn:aws:iam::111122223333:role/ExampleRole", "arn:aws:iam::444455556666:root"]},
      "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      "Resource": "*",
      "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    }
  ]
}`
