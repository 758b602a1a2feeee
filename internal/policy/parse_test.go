package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	const allow = `"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"`
	doc := func(stmt string) string { return `{"Version":"2012-10-17","Statement":[{` + stmt + `}]}` }
	tests := []struct {
		name string
		doc  string
		kind Kind
		msg  string
	}{
		{"invalid JSON", `{"Version":"2012-10-17",`, KeyPolicy, msgSyntax},
		{"not an object", `[]`, KeyPolicy, msgSyntax},
		{"trailing data", doc(allow) + `{}`, KeyPolicy, msgSyntax},
		{"duplicate element", `{"Version":"2012-10-17","Version":"2012-10-17","Statement":{` + allow + `}}`, KeyPolicy, msgSyntax},
		{"NUL in a string", doc(allow + `,"Sid":"a\u0000b"`), KeyPolicy, msgSyntax},
		{"unknown top-level element", `{"Version":"2012-10-17","Condition":{},"Statement":{` + allow + `}}`, KeyPolicy, "Policy contains an unknown element: Condition."},
		{"element names are case-sensitive", `{"version":"2012-10-17","Statement":{` + allow + `}}`, KeyPolicy, "Policy contains an unknown element: version."},
		{"invalid version", `{"Version":"2012-10-18","Statement":{` + allow + `}}`, KeyPolicy, "Policy contains an invalid Version: 2012-10-18."},
		{"version not a string", `{"Version":2012,"Statement":{` + allow + `}}`, KeyPolicy, "Policy contains an invalid value for Version."},
		{"no statement", `{"Version":"2012-10-17"}`, KeyPolicy, msgNoStatements},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, KeyPolicy, msgNoStatements},
		{"statement not an object", `{"Version":"2012-10-17","Statement":["x"]}`, KeyPolicy, msgSyntax},
		{"unknown statement element", doc(allow + `,"Principals":"*"`), KeyPolicy, "Policy contains an unknown element: Principals."},
		{"missing Effect", doc(`"Principal":"*","Action":"kms:*","Resource":"*"`), KeyPolicy, msgEffect},
		{"invalid Effect", doc(`"Effect":"allow","Principal":"*","Action":"kms:*","Resource":"*"`), KeyPolicy, msgEffect},
		{"Action and NotAction", doc(allow + `,"NotAction":"kms:Decrypt"`), KeyPolicy, "Policy contains a statement with both Action and NotAction."},
		{"Resource and NotResource", doc(allow + `,"NotResource":"x"`), KeyPolicy, "Policy contains a statement with both Resource and NotResource."},
		{"Principal and NotPrincipal", doc(allow + `,"NotPrincipal":{"AWS":"111122223333"}`), KeyPolicy, "Policy contains a statement with both Principal and NotPrincipal."},
		{"key policy without principal", doc(`"Effect":"Allow","Action":"kms:*","Resource":"*"`), KeyPolicy, msgNoPrincipal},
		{"empty principal object", doc(`"Effect":"Allow","Principal":{},"Action":"kms:*","Resource":"*"`), KeyPolicy, msgNoPrincipal},
		{"principal wildcard in ARN", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"kms:*","Resource":"*"`), KeyPolicy, msgInvalidPrincipals},
		{"principal unique ID", doc(`"Effect":"Allow","Principal":{"AWS":"AIDACKCEVSQ6C2EXAMPLE"},"Action":"kms:*","Resource":"*"`), KeyPolicy, msgInvalidPrincipals},
		{"principal bad account", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1234:root"},"Action":"kms:*","Resource":"*"`), KeyPolicy, msgInvalidPrincipals},
		{"principal group", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/admins"},"Action":"kms:*","Resource":"*"`), KeyPolicy, msgInvalidPrincipals},
		{"principal bare ARN string", doc(`"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"kms:*","Resource":"*"`), KeyPolicy, msgInvalidPrincipals},
		{"principal CanonicalUser", doc(`"Effect":"Allow","Principal":{"CanonicalUser":"abc"},"Action":"kms:*","Resource":"*"`), KeyPolicy, msgInvalidPrincipals},
		{"principal empty list", doc(`"Effect":"Allow","Principal":{"AWS":[]},"Action":"kms:*","Resource":"*"`), KeyPolicy, msgInvalidPrincipals},
		{"principal in identity policy", doc(allow), IdentityPolicy, msgPrincipalInIAM},
		{"NotPrincipal in identity policy", doc(`"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"`), IdentityPolicy, msgPrincipalInIAM},
		{"identity policy without action", doc(`"Effect":"Allow","Resource":"*"`), IdentityPolicy, msgNoActions},
		{"identity policy without resource", doc(`"Effect":"Allow","Action":"kms:*"`), IdentityPolicy, msgNoResources},
		{"identity policy resource not an ARN", doc(`"Effect":"Allow","Action":"kms:*","Resource":"key/1"`), IdentityPolicy, `Resource key/1 must be in ARN format or "*".`},
		{"action without vendor", doc(`"Effect":"Allow","Principal":"*","Action":"Encrypt","Resource":"*"`), KeyPolicy, msgVendor},
		{"action with two colons", doc(`"Effect":"Allow","Principal":"*","Action":"kms:Encrypt:x","Resource":"*"`), KeyPolicy, msgOneColon},
		{"action not a string", doc(`"Effect":"Allow","Principal":"*","Action":7,"Resource":"*"`), KeyPolicy, "Policy contains an invalid value for Action."},
		{"duplicate Sid", `{"Statement":[{"Sid":"A",` + allow + `},{"Sid":"A",` + allow + `}]}`, KeyPolicy, msgSidUnique},
		{"identity Sid with a space", doc(`"Sid":"a b","Effect":"Allow","Action":"kms:*","Resource":"*"`), IdentityPolicy, msgSidAlnum},
		{"unknown operator", doc(allow + `,"Condition":{"StringEqual":{"kms:CallerAccount":"1"}}`), KeyPolicy, "Policy contains a statement with an invalid condition operator: StringEqual."},
		{"NullIfExists", doc(allow + `,"Condition":{"NullIfExists":{"kms:CallerAccount":"true"}}`), KeyPolicy, "Policy contains a statement with an invalid condition operator: NullIfExists."},
		{"bad numeric value", doc(allow + `,"Condition":{"NumericLessThan":{"kms:ValidTo":"soon"}}`), KeyPolicy, "Policy contains a statement with an invalid value for condition operator NumericLessThan."},
		{"bad date value", doc(allow + `,"Condition":{"DateLessThan":{"aws:CurrentTime":"2024-13-01"}}`), KeyPolicy, "Policy contains a statement with an invalid value for condition operator DateLessThan."},
		{"bad IP value", doc(allow + `,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}`), KeyPolicy, "Policy contains a statement with an invalid value for condition operator IpAddress."},
		{"bad Bool value", doc(allow + `,"Condition":{"Bool":{"aws:SecureTransport":"yes"}}`), KeyPolicy, "Policy contains a statement with an invalid value for condition operator Bool."},
		{"object condition value", doc(allow + `,"Condition":{"StringEquals":{"kms:CallerAccount":{"a":"b"}}}`), KeyPolicy, "Policy contains a statement with an invalid value for condition operator StringEquals."},
		{"empty condition key", doc(allow + `,"Condition":{"StringEquals":{"":"x"}}`), KeyPolicy, msgBadConditionKey},
		{"condition not an object", doc(allow + `,"Condition":"x"`), KeyPolicy, "Policy contains an invalid value for Condition."},
		{"ForAllValues with encryption context", doc(allow + `,"Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContext:Department":"IT"}}`), KeyPolicy, msgOverlyEC},
		{"ForAllValues with request tag", doc(allow + `,"Condition":{"ForAllValues:StringEquals":{"aws:RequestTag/team":"a"}}`), KeyPolicy, msgOverlyTag},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.doc, tc.kind)
			var me *MalformedError
			if !errors.As(err, &me) {
				t.Fatalf("Parse error = %v, want *MalformedError", err)
			}
			if me.Message != tc.msg || me.Exception() != "MalformedPolicyDocumentException" {
				t.Errorf("Parse error = %q (%s)\nwant %q", me.Message, me.Exception(), tc.msg)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	base := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}`
	fits := base + strings.Repeat(" ", MaxSize-len(base))
	if _, err := Parse(fits, KeyPolicy); err != nil {
		t.Fatalf("%d bytes: %v", len(fits), err)
	}
	_, err := Parse(fits+" ", KeyPolicy)
	var me *MalformedError
	if !errors.As(err, &me) || !me.TooLarge || me.Exception() != "LimitExceededException" || me.Message != msgTooLarge {
		t.Fatalf("%d bytes: %v", len(fits)+1, err)
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		kind Kind
	}{
		{"statement as object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}`, KeyPolicy},
		{"no version", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`, KeyPolicy},
		{"2008 version", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`, KeyPolicy},
		{"Id and Sid with spaces in a key policy", `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`, KeyPolicy},
		{"key policy statement without Action or Resource", `{"Statement":[{"Effect":"Allow","Principal":"*"}]}`, KeyPolicy},
		{"every principal form", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/a/b/c","arn:aws:iam::111122223333:role/r","arn:aws:sts::111122223333:assumed-role/r/s","arn:aws:iam::111122223333:federated-user/f"],"Service":["ec2.amazonaws.com"],"Federated":"cognito-identity.amazonaws.com"},"Action":"kms:*","Resource":"*"}]}`, KeyPolicy},
		{"condition value types", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"kms:ValidTo":[1546257599.0,"7"]},"Bool":{"kms:GrantIsForAWSResource":true},"Null":{"x:y":false}}}]}`, KeyPolicy},
		{"identity policy", `{"Version":"2012-10-17","Statement":[{"Sid":"Kms1","Effect":"Allow","Action":["kms:Encrypt"],"Resource":["arn:aws:kms:us-east-1:111122223333:key/*"]}]}`, IdentityPolicy},
		{"console default key policy", consolePolicy, KeyPolicy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.doc, tc.kind); err != nil {
				t.Fatalf("Parse: %v", err)
			}
		})
	}
}

func TestPrincipals(t *testing.T) {
	p := mustParse(t, consolePolicy, KeyPolicy)
	got := strings.Join(p.Principals(), ",")
	want := "arn:aws:iam::111122223333:root,arn:aws:iam::111122223333:user/KMSAdminUser,arn:aws:iam::111122223333:role/KMSAdminRole," +
		"arn:aws:iam::111122223333:user/ExampleUser,arn:aws:iam::111122223333:role/ExampleRole,arn:aws:iam::444455556666:root," +
		"arn:aws:iam::111122223333:user/ExampleUser,arn:aws:iam::111122223333:role/ExampleRole,arn:aws:iam::444455556666:root"
	if got != want {
		t.Errorf("Principals = %s", got)
	}
	if p.Kind() != KeyPolicy {
		t.Errorf("Kind = %v", p.Kind())
	}
}

func TestParseUnknownKind(t *testing.T) {
	if _, err := Parse(`{}`, 0); err == nil {
		t.Fatal("kind 0 accepted")
	}
}
