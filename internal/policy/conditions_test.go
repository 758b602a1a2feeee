package policy

import (
	"testing"
	"time"
)

// condCase is one condition evaluated on a kms:Encrypt request by alice
// with the given context pairs.
type condCase struct {
	name string
	cond string // the Condition element's JSON
	ctx  []string
	want bool
}

func runCond(t *testing.T, tests []condCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := keyPolicy(t, `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":`+tc.cond+`}`)
			got, _ := p.Evaluate(req("kms:Encrypt", user("alice"), tc.ctx...))
			if (got == Allow) != tc.want {
				t.Errorf("condition %s with %q: got %v, want allow=%v", tc.cond, tc.ctx, got, tc.want)
			}
		})
	}
}

func TestStringOperators(t *testing.T) {
	runCond(t, []condCase{
		{"StringEquals", `{"StringEquals":{"kms:EncryptionContext:purpose":"test"}}`, []string{"kms:EncryptionContext:purpose", "test"}, true},
		{"StringEquals case-sensitive", `{"StringEquals":{"kms:EncryptionContext:purpose":"test"}}`, []string{"kms:EncryptionContext:purpose", "Test"}, false},
		{"StringEquals no wildcards", `{"StringEquals":{"kms:EncryptionContext:purpose":"t*"}}`, []string{"kms:EncryptionContext:purpose", "test"}, false},
		{"StringEquals missing key", `{"StringEquals":{"kms:EncryptionContext:purpose":"test"}}`, nil, false},
		{"StringEquals values are ORed", `{"StringEquals":{"kms:EncryptionContext:purpose":["a","test"]}}`, []string{"kms:EncryptionContext:purpose", "test"}, true},
		{"StringNotEquals", `{"StringNotEquals":{"kms:EncryptionContext:purpose":"test"}}`, []string{"kms:EncryptionContext:purpose", "prod"}, true},
		{"StringNotEquals equal", `{"StringNotEquals":{"kms:EncryptionContext:purpose":"test"}}`, []string{"kms:EncryptionContext:purpose", "test"}, false},
		{"StringNotEquals values are NORed", `{"StringNotEquals":{"kms:EncryptionContext:purpose":["a","test"]}}`, []string{"kms:EncryptionContext:purpose", "test"}, false},
		{"StringNotEquals missing key is true", `{"StringNotEquals":{"kms:EncryptionContext:purpose":"test"}}`, nil, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"kms:EncryptionContext:purpose":"TEST"}}`, []string{"kms:EncryptionContext:purpose", "test"}, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"kms:EncryptionContext:purpose":"TEST"}}`, []string{"kms:EncryptionContext:purpose", "test"}, false},
		{"StringNotEqualsIgnoreCase differs", `{"StringNotEqualsIgnoreCase":{"kms:EncryptionContext:purpose":"TEST"}}`, []string{"kms:EncryptionContext:purpose", "prod"}, true},
		{"StringLike", `{"StringLike":{"kms:EncryptionContext:purpose":"te?t*"}}`, []string{"kms:EncryptionContext:purpose", "testing"}, true},
		{"StringLike case-sensitive", `{"StringLike":{"kms:EncryptionContext:purpose":"te*"}}`, []string{"kms:EncryptionContext:purpose", "Test"}, false},
		{"StringNotLike", `{"StringNotLike":{"kms:EncryptionContext:purpose":"te*"}}`, []string{"kms:EncryptionContext:purpose", "prod"}, true},
		{"StringNotLike match", `{"StringNotLike":{"kms:EncryptionContext:purpose":"te*"}}`, []string{"kms:EncryptionContext:purpose", "test"}, false},
		{"condition key case-insensitive", `{"StringEquals":{"KMS:ENCRYPTIONCONTEXT:Purpose":"test"}}`, []string{"kms:encryptioncontext:purpose", "test"}, true},
		{"keys are ANDed", `{"StringEquals":{"kms:EncryptionContext:a":"1","kms:EncryptionContext:b":"2"}}`, []string{"kms:EncryptionContext:a", "1"}, false},
		{"keys are ANDed, both present", `{"StringEquals":{"kms:EncryptionContext:a":"1","kms:EncryptionContext:b":"2"}}`, []string{"kms:EncryptionContext:a", "1", "kms:EncryptionContext:b", "2"}, true},
		{"operators are ANDed", `{"StringEquals":{"kms:EncryptionContext:a":"1"},"StringLike":{"kms:EncryptionContext:b":"x*"}}`, []string{"kms:EncryptionContext:a", "1", "kms:EncryptionContext:b", "y"}, false},
		{"empty condition block", `{}`, nil, true},
	})
}

func TestMixedCaseContextKey(t *testing.T) {
	p := keyPolicy(t, `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:Purpose":"test"}}}`)
	r := req("kms:Encrypt", user("alice"))
	r.Context = map[string][]string{"kms:EncryptionContext:PURPOSE": {"test"}}
	if got, _ := p.Evaluate(r); got != Allow {
		t.Fatalf("got %v, want Allow", got)
	}
}

func TestNumericOperators(t *testing.T) {
	const k = "kms:ValidTo"
	runCond(t, []condCase{
		{"NumericEquals", `{"NumericEquals":{"kms:ValidTo":"1546257599"}}`, []string{k, "1546257599"}, true},
		{"NumericEquals decimal", `{"NumericEquals":{"kms:ValidTo":"1546257599.0"}}`, []string{k, "1546257599"}, true},
		{"NumericNotEquals", `{"NumericNotEquals":{"kms:ValidTo":"5"}}`, []string{k, "6"}, true},
		{"NumericNotEquals equal", `{"NumericNotEquals":{"kms:ValidTo":"5"}}`, []string{k, "5"}, false},
		{"NumericLessThan", `{"NumericLessThan":{"kms:ValidTo":"10"}}`, []string{k, "9"}, true},
		{"NumericLessThan equal", `{"NumericLessThan":{"kms:ValidTo":"10"}}`, []string{k, "10"}, false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"kms:ValidTo":"1546257599.0"}}`, []string{k, "1546257599"}, true},
		{"NumericLessThanEquals over", `{"NumericLessThanEquals":{"kms:ValidTo":"1546257599.0"}}`, []string{k, "1546257600"}, false},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"kms:ValidTo":10}}`, []string{k, "11"}, true},
		{"NumericGreaterThan equal", `{"NumericGreaterThan":{"kms:ValidTo":10}}`, []string{k, "10"}, false},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"kms:ValidTo":"10"}}`, []string{k, "10"}, true},
		{"Numeric request not a number", `{"NumericGreaterThanEquals":{"kms:ValidTo":"10"}}`, []string{k, "ten"}, false},
		{"Numeric missing key", `{"NumericLessThan":{"kms:ValidTo":"10"}}`, nil, false},
		{"NumericNotEquals missing key", `{"NumericNotEquals":{"kms:ValidTo":"10"}}`, nil, true},
	})
}

func TestDateOperators(t *testing.T) {
	const k = "aws:CurrentTime"
	runCond(t, []condCase{
		{"DateEquals", `{"DateEquals":{"aws:CurrentTime":"2024-06-01T12:00:00Z"}}`, []string{k, "2024-06-01T12:00:00Z"}, true},
		{"DateEquals other zone", `{"DateEquals":{"aws:CurrentTime":"2024-06-01T14:00:00+02:00"}}`, []string{k, "2024-06-01T12:00:00Z"}, true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2024-06-01T12:00:00Z"}}`, []string{k, "2024-06-01T12:00:01Z"}, true},
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"}}`, []string{k, "2024-06-01T12:00:00Z"}, true},
		{"DateLessThan after", `{"DateLessThan":{"aws:CurrentTime":"2024-01-01"}}`, []string{k, "2024-06-01T12:00:00Z"}, false},
		{"DateLessThanEquals", `{"DateLessThanEquals":{"aws:CurrentTime":"2024-06-01T12:00:00Z"}}`, []string{k, "2024-06-01T12:00:00Z"}, true},
		{"DateGreaterThan", `{"DateGreaterThan":{"aws:CurrentTime":"2024"}}`, []string{k, "2024-06-01T12:00:00Z"}, true},
		{"DateGreaterThan month", `{"DateGreaterThan":{"aws:CurrentTime":"2024-07"}}`, []string{k, "2024-06-01T12:00:00Z"}, false},
		{"DateGreaterThanEquals", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2024-06-01T12:00Z"}}`, []string{k, "2024-06-01T12:00:00Z"}, true},
		{"Date epoch policy value", `{"DateGreaterThan":{"aws:CurrentTime":"1717243199"}}`, []string{k, "2024-06-01T12:00:00Z"}, true},
		{"Date epoch request value", `{"DateLessThan":{"aws:EpochTime":"2024-06-01T12:00:00Z"}}`, []string{"aws:EpochTime", "1717243199"}, true},
		{"Date fractional seconds", `{"DateLessThan":{"aws:CurrentTime":"2024-06-01T12:00:00.5Z"}}`, []string{k, "2024-06-01T12:00:00Z"}, true},
		{"Date kms:ValidTo epoch", `{"DateLessThanEquals":{"kms:ValidTo":"2019-01-01T00:00:00Z"}}`, []string{"kms:ValidTo", "1546257599"}, true},
		{"Date request not a date", `{"DateGreaterThan":{"aws:CurrentTime":"2024"}}`, []string{k, "yesterday"}, false},
		{"Date missing key", `{"DateGreaterThan":{"aws:CurrentTime":"2024"}}`, nil, false},
	})
}

func TestCurrentTimeFromRequest(t *testing.T) {
	p := keyPolicy(t, `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"DateGreaterThan":{"aws:EpochTime":"1700000000"}}}`)
	r := req("kms:Encrypt", user("alice"))
	if got, _ := p.Evaluate(r); got != ImplicitDeny {
		t.Errorf("no time: got %v", got)
	}
	r.Time = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, _ := p.Evaluate(r); got != Allow {
		t.Errorf("2025: got %v", got)
	}
	r.Time = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, _ := p.Evaluate(r); got != ImplicitDeny {
		t.Errorf("2031: got %v", got)
	}
	s := keyPolicy(t, `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringLike":{"aws:CurrentTime":"2025-01-01T*"}}}`)
	r.Time = time.Date(2025, 1, 1, 3, 0, 0, 0, time.UTC)
	if got, _ := s.Evaluate(r); got != Allow {
		t.Errorf("StringLike on derived time: got %v", got)
	}
}

func TestBoolIPArnNullOperators(t *testing.T) {
	runCond(t, []condCase{
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, []string{"aws:SecureTransport", "true"}, true},
		{"Bool JSON true", `{"Bool":{"aws:SecureTransport":true}}`, []string{"aws:SecureTransport", "true"}, true},
		{"Bool false", `{"Bool":{"aws:SecureTransport":"false"}}`, []string{"aws:SecureTransport", "true"}, false},
		{"Bool case", `{"Bool":{"kms:GrantIsForAWSResource":"TRUE"}}`, []string{"kms:GrantIsForAWSResource", "true"}, true},
		{"Bool missing", `{"Bool":{"kms:GrantIsForAWSResource":"true"}}`, nil, false},
		{"IpAddress", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, []string{"aws:SourceIp", "203.0.113.7"}, true},
		{"IpAddress outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, []string{"aws:SourceIp", "203.0.114.7"}, false},
		{"IpAddress single address", `{"IpAddress":{"aws:SourceIp":"127.0.0.1"}}`, []string{"aws:SourceIp", "127.0.0.1"}, true},
		{"IpAddress IPv6", `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}`, []string{"aws:SourceIp", "2001:db8:1234:5678::9"}, true},
		{"IpAddress mapped IPv4", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, []string{"aws:SourceIp", "::ffff:10.1.2.3"}, true},
		{"IpAddress bad request value", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, []string{"aws:SourceIp", "nowhere"}, false},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, []string{"aws:SourceIp", "192.0.2.1"}, true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, []string{"aws:SourceIp", "10.9.9.9"}, false},
		{"ArnEquals", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/alice"}}`, nil, true},
		{"ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/a*"}}`, nil, true},
		{"ArnLike field by field", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:*:user/alice"}}`, nil, false},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/bob"}}`, nil, true},
		{"ArnNotLike", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/*"}}`, nil, false},
		{"Null true, key absent", `{"Null":{"kms:EncryptionContextKeys":"true"}}`, nil, true},
		{"Null true, key present", `{"Null":{"kms:EncryptionContextKeys":"true"}}`, []string{"kms:EncryptionContextKeys", "a"}, false},
		{"Null false, key present", `{"Null":{"kms:EncryptionContextKeys":false}}`, []string{"kms:EncryptionContextKeys", "a"}, true},
		{"Null false, key absent", `{"Null":{"kms:EncryptionContextKeys":false}}`, nil, false},
		{"BinaryEquals", `{"BinaryEquals":{"x:blob":"QmluYXJ5"}}`, []string{"x:blob", "QmluYXJ5"}, true},
	})
}

func TestIfExists(t *testing.T) {
	runCond(t, []condCase{
		{"StringEqualsIfExists missing", `{"StringEqualsIfExists":{"kms:RequestAlias":"alias/app"}}`, nil, true},
		{"StringEqualsIfExists present, equal", `{"StringEqualsIfExists":{"kms:RequestAlias":"alias/app"}}`, []string{"kms:RequestAlias", "alias/app"}, true},
		{"StringEqualsIfExists present, differs", `{"StringEqualsIfExists":{"kms:RequestAlias":"alias/app"}}`, []string{"kms:RequestAlias", "alias/other"}, false},
		{"StringNotLikeIfExists missing", `{"StringNotLikeIfExists":{"kms:RequestAlias":"alias/*"}}`, nil, true},
		{"NumericLessThanIfExists missing", `{"NumericLessThanIfExists":{"kms:ValidTo":"1"}}`, nil, true},
		{"DateLessThanIfExists missing", `{"DateLessThanIfExists":{"aws:CurrentTime":"2000"}}`, nil, true},
		{"BoolIfExists missing", `{"BoolIfExists":{"aws:SecureTransport":"true"}}`, nil, true},
		{"BoolIfExists present false", `{"BoolIfExists":{"aws:SecureTransport":"true"}}`, []string{"aws:SecureTransport", "false"}, false},
		{"IpAddressIfExists missing", `{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true},
		{"ArnLikeIfExists missing", `{"ArnLikeIfExists":{"x:arn":"arn:*"}}`, nil, true},
		{"ForAnyValue IfExists missing", `{"ForAnyValue:StringEqualsIfExists":{"kms:ResourceAliases":"alias/a"}}`, nil, true},
	})
}

func TestSetOperators(t *testing.T) {
	const keys = "kms:EncryptionContextKeys"
	runCond(t, []condCase{
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"AppName"}}`, []string{keys, "AppName", keys, "Project"}, true},
		{"ForAnyValue none matches", `{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"AppName"}}`, []string{keys, "Project"}, false},
		{"ForAnyValue case-sensitive values", `{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"AppName"}}`, []string{keys, "appname"}, false},
		{"ForAnyValue missing key is false", `{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"AppName"}}`, nil, false},
		{"ForAllValues all match", `{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["Department","Project"]}}`, []string{keys, "Department", keys, "Project"}, true},
		{"ForAllValues one extra", `{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["Department","Project"]}}`, []string{keys, "Department", keys, "Stage"}, false},
		{"ForAllValues missing key is true", `{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["Department"]}}`, nil, true},
		{"ForAllValues StringLike", `{"ForAllValues:StringLike":{"kms:ResourceAliases":"alias/*Test*"}}`, []string{"kms:ResourceAliases", "alias/myTest", "kms:ResourceAliases", "alias/Test2"}, true},
		{"ForAnyValue negated: some value matches none", `{"ForAnyValue:StringNotEquals":{"kms:GrantOperations":["Encrypt","Decrypt"]}}`, []string{"kms:GrantOperations", "Encrypt", "kms:GrantOperations", "Sign"}, true},
		{"ForAnyValue negated: all listed", `{"ForAnyValue:StringNotEquals":{"kms:GrantOperations":["Encrypt","Decrypt"]}}`, []string{"kms:GrantOperations", "Encrypt", "kms:GrantOperations", "Decrypt"}, false},
		{"ForAllValues negated: none listed", `{"ForAllValues:StringNotEquals":{"kms:GrantOperations":["Decrypt"]}}`, []string{"kms:GrantOperations", "Encrypt", "kms:GrantOperations", "Sign"}, true},
		{"ForAllValues negated: one listed", `{"ForAllValues:StringNotEquals":{"kms:GrantOperations":["Decrypt"]}}`, []string{"kms:GrantOperations", "Encrypt", "kms:GrantOperations", "Decrypt"}, false},
		{"no set operator, multi-valued: any value", `{"StringEquals":{"kms:ResourceAliases":"alias/b"}}`, []string{"kms:ResourceAliases", "alias/a", "kms:ResourceAliases", "alias/b"}, true},
		{"no set operator negated, multi-valued: none may match", `{"StringNotEquals":{"kms:ResourceAliases":"alias/b"}}`, []string{"kms:ResourceAliases", "alias/a", "kms:ResourceAliases", "alias/b"}, false},
		{"ForAllValues and ForAnyValue together require a value", `{"ForAllValues:StringLike":{"kms:ResourceAliases":"alias/*Test*"},"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/*Test*"}}`, nil, false},
	})
}

func TestSetOperatorsEmptySet(t *testing.T) {
	for _, tc := range []struct {
		op   string
		want Decision
	}{
		{"ForAllValues:StringEquals", Allow},
		{"ForAnyValue:StringEquals", ImplicitDeny},
		{"StringEquals", ImplicitDeny},
		{"StringNotEquals", Allow},
	} {
		t.Run(tc.op, func(t *testing.T) {
			p := keyPolicy(t, `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"`+tc.op+`":{"kms:EncryptionContextKeys":"Department"}}}`)
			r := req("kms:Encrypt", user("alice"))
			r.Context = map[string][]string{"kms:encryptioncontextkeys": {}}
			if got, _ := p.Evaluate(r); got != tc.want {
				t.Errorf("empty set: got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestKMSConditionKeys exercises each condition key the issue lists, in
// the way the AWS KMS guide uses it.
func TestKMSConditionKeys(t *testing.T) {
	runCond(t, []condCase{
		{"kms:EncryptionContext:<key> key part case-insensitive", `{"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"}}`, []string{"kms:encryptioncontext:appname", "ExampleApp"}, true},
		{"kms:EncryptionContext:<key> value case-sensitive", `{"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"}}`, []string{"kms:encryptioncontext:appname", "exampleapp"}, false},
		{"kms:EncryptionContextKeys", `{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"AppName"}}`, []string{"kms:EncryptionContextKeys", "AppName"}, true},
		{"kms:CallerAccount from the principal", `{"StringEquals":{"kms:CallerAccount":"111122223333"}}`, nil, true},
		{"kms:CallerAccount other", `{"StringEquals":{"kms:CallerAccount":"444455556666"}}`, nil, false},
		{"kms:GrantOperations", `{"ForAllValues:StringEquals":{"kms:GrantOperations":["Encrypt","ReEncryptTo"]}}`, []string{"kms:GrantOperations", "Encrypt"}, true},
		{"kms:GrantIsForAWSResource", `{"Bool":{"kms:GrantIsForAWSResource":true}}`, []string{"kms:GrantIsForAWSResource", "true"}, true},
		{"kms:KeyOrigin", `{"StringEquals":{"kms:KeyOrigin":"EXTERNAL"}}`, []string{"kms:KeyOrigin", "EXTERNAL"}, true},
		{"kms:KeySpec", `{"StringLike":{"kms:KeySpec":"RSA_*"}}`, []string{"kms:KeySpec", "SYMMETRIC_DEFAULT"}, false},
		{"kms:RequestAlias", `{"StringEquals":{"kms:RequestAlias":"alias/finance-key"}}`, []string{"kms:RequestAlias", "alias/finance-key"}, true},
		{"kms:ResourceAliases", `{"ForAnyValue:StringEquals":{"kms:ResourceAliases":"alias/finance-key"}}`, []string{"kms:ResourceAliases", "alias/x", "kms:ResourceAliases", "alias/finance-key"}, true},
		{"kms:WrappingAlgorithm", `{"StringNotEquals":{"kms:WrappingAlgorithm":"RSAES_OAEP_SHA_1"}}`, []string{"kms:WrappingAlgorithm", "RSAES_OAEP_SHA_1"}, false},
		{"kms:WrappingKeySpec", `{"StringEquals":{"kms:WrappingKeySpec":"RSA_2048"}}`, []string{"kms:WrappingKeySpec", "RSA_4096"}, false},
		{"kms:ExpirationModel", `{"StringEquals":{"kms:ExpirationModel":"KEY_MATERIAL_DOES_NOT_EXPIRE"}}`, []string{"kms:ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE"}, true},
		{"kms:ExpirationModel Null", `{"Null":{"kms:ExpirationModel":true}}`, nil, true},
		{"kms:ValidTo", `{"NumericLessThanEquals":{"kms:ValidTo":"1546257599.0"}}`, []string{"kms:ValidTo", "1546257000"}, true},
		{"aws:PrincipalArn", `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/alice"}}`, nil, true},
		{"aws:username", `{"StringEquals":{"aws:username":"alice"}}`, nil, true},
		{"aws:PrincipalType", `{"StringEquals":{"aws:PrincipalType":"User"}}`, nil, true},
		{"aws:PrincipalAccount", `{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`, nil, true},
		{"aws:SourceIp", `{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`, []string{"aws:SourceIp", "127.0.0.1"}, true},
		{"aws:CurrentTime", `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, []string{"aws:CurrentTime", "2024-01-01T00:00:00Z"}, true},
		{"aws:SecureTransport", `{"Bool":{"aws:SecureTransport":"false"}}`, []string{"aws:SecureTransport", "true"}, false},
		{"context overrides derived key", `{"StringEquals":{"aws:username":"alice"}}`, []string{"aws:username", "mallory"}, false},
	})
}

func TestRequestSetEncryptionContext(t *testing.T) {
	p := keyPolicy(t, `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{
		"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"},
		"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["AppName","Stage"]},
		"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`)
	tests := []struct {
		name string
		ec   map[string]string
		want Decision
	}{
		{"required pair", map[string]string{"AppName": "ExampleApp"}, Allow},
		{"allowed extra key", map[string]string{"AppName": "ExampleApp", "Stage": "dev"}, Allow},
		{"forbidden extra key", map[string]string{"AppName": "ExampleApp", "Team": "x"}, ImplicitDeny},
		{"key in other case: kms:EncryptionContext matches, kms:EncryptionContextKeys does not", map[string]string{"appname": "ExampleApp"}, ImplicitDeny},
		{"no context", nil, ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Request{Action: "kms:Decrypt", Resource: keyARN, Principal: user("alice")}
			r.Set("AWS:SourceIp", "10.0.0.1")
			r.SetEncryptionContext(tc.ec)
			if got, _ := p.Evaluate(r); got != tc.want {
				t.Errorf("got %v, want %v (context %v)", got, tc.want, r.Context)
			}
		})
	}
	n := keyPolicy(t, `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"Null":{"kms:EncryptionContextKeys":"true"}}}`)
	r := &Request{Action: "kms:Encrypt", Resource: keyARN, Principal: user("alice")}
	r.SetEncryptionContext(map[string]string{})
	if got, _ := n.Evaluate(r); got != Allow {
		t.Errorf("empty context: Null true got %v", got)
	}
}
