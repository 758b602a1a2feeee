package iamapi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/iam"
)

func TestEncodeResponse(t *testing.T) {
	created := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	for _, tc := range []struct {
		name, action, ns string
		result           any
		want             string
	}{
		{
			name: "no result", action: "DeleteUser", ns: iamNamespace,
			want: `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">` +
				`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DeleteUserResponse>`,
		},
		{
			name: "user", action: "CreateUser", ns: iamNamespace,
			result: userResult{User: userXML{Path: "/", UserName: "bob", UserID: "AIDAEXAMPLE", Arn: "arn:aws:iam::111122223333:user/bob", CreateDate: isoTime(created)}},
			want: `<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateUserResult>` +
				`<User><Path>/</Path><UserName>bob</UserName><UserId>AIDAEXAMPLE</UserId>` +
				`<Arn>arn:aws:iam::111122223333:user/bob</Arn><CreateDate>2024-05-06T07:08:09Z</CreateDate></User>` +
				`</CreateUserResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></CreateUserResponse>`,
		},
		{
			name: "root user has no path or name", action: "GetUser", ns: iamNamespace,
			result: userResult{User: userXML{UserID: "111122223333", Arn: "arn:aws:iam::111122223333:root", CreateDate: isoTime(created)}},
			want: `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult>` +
				`<User><UserId>111122223333</UserId><Arn>arn:aws:iam::111122223333:root</Arn><CreateDate>2024-05-06T07:08:09Z</CreateDate></User>` +
				`</GetUserResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetUserResponse>`,
		},
		{
			name: "empty list", action: "ListUserPolicies", ns: iamNamespace,
			result: listUserPoliciesResult{},
			want: `<ListUserPoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUserPoliciesResult>` +
				`<PolicyNames></PolicyNames><IsTruncated>false</IsTruncated>` +
				`</ListUserPoliciesResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListUserPoliciesResponse>`,
		},
		{
			name: "truncated list", action: "ListUserPolicies", ns: iamNamespace,
			result: listUserPoliciesResult{PolicyNames: members[string]{Member: []string{"a", "b&c"}}, IsTruncated: true, Marker: "m"},
			want: `<ListUserPoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUserPoliciesResult>` +
				`<PolicyNames><member>a</member><member>b&amp;c</member></PolicyNames><IsTruncated>true</IsTruncated><Marker>m</Marker>` +
				`</ListUserPoliciesResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListUserPoliciesResponse>`,
		},
		{
			name: "access key", action: "CreateAccessKey", ns: iamNamespace,
			result: createAccessKeyResult{AccessKey: accessKeyXML{UserName: "bob", AccessKeyID: "AKIAEXAMPLE", Status: "Active", SecretAccessKey: "s3cr3t", CreateDate: isoTime(created)}},
			want: `<CreateAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateAccessKeyResult>` +
				`<AccessKey><UserName>bob</UserName><AccessKeyId>AKIAEXAMPLE</AccessKeyId><Status>Active</Status>` +
				`<SecretAccessKey>s3cr3t</SecretAccessKey><CreateDate>2024-05-06T07:08:09Z</CreateDate></AccessKey>` +
				`</CreateAccessKeyResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></CreateAccessKeyResponse>`,
		},
		{
			name: "sts", action: "GetCallerIdentity", ns: stsNamespace,
			result: callerIdentityResult{Arn: "arn:aws:iam::111122223333:user/bob", UserID: "AIDAEXAMPLE", Account: "111122223333"},
			want: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
				`<Arn>arn:aws:iam::111122223333:user/bob</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account>` +
				`</GetCallerIdentityResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeResponse(tc.action, tc.ns, tc.result, "req-1")
			if err != nil || string(got) != tc.want {
				t.Errorf("encodeResponse =\n%s, %v\nwant\n%s", got, err, tc.want)
			}
		})
	}
}

func TestEncodeError(t *testing.T) {
	for _, tc := range []struct {
		ns   string
		err  *apiError
		want string
	}{
		{iamNamespace, mustAPIError(iam.Errorf(iam.NoSuchEntity, "The user with name bob cannot be found.")), `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>` +
			`<Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error><RequestId>req-2</RequestId></ErrorResponse>`},
		{stsNamespace, fail("InvalidClientTokenId", "The security token included in the request is invalid."),
			`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>` +
				`<Message>The security token included in the request is invalid.</Message></Error><RequestId>req-2</RequestId></ErrorResponse>`},
		{iamNamespace, fail("ServiceFailure", "<oops>"), `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Receiver</Type>` +
			`<Code>ServiceFailure</Code><Message>&lt;oops&gt;</Message></Error><RequestId>req-2</RequestId></ErrorResponse>`},
	} {
		if got := string(encodeError(tc.ns, tc.err, "req-2")); got != tc.want {
			t.Errorf("encodeError(%s) =\n%s\nwant\n%s", tc.err.Code, got, tc.want)
		}
	}
}

func TestErrorStatus(t *testing.T) {
	for code, want := range map[string]int{
		"NoSuchEntity": 404, "EntityAlreadyExists": 409, "LimitExceeded": 409, "DeleteConflict": 409,
		"MalformedPolicyDocument": 400, "ValidationError": 400, "InvalidInput": 400, "AccessDenied": 403,
		"InvalidClientTokenId": 403, "SignatureDoesNotMatch": 403, "MissingAuthenticationToken": 403,
		"IncompleteSignature": 400, "ServiceFailure": 500,
	} {
		if got := fail(code, "").Status; got != want {
			t.Errorf("status of %s = %d, want %d", code, got, want)
		}
	}
}

// mustAPIError is toAPIError for an error it knows.
func mustAPIError(err error) *apiError {
	ae, known := toAPIError(err)
	if !known {
		panic(err)
	}
	return ae
}

// TestEveryKindHasAStatus: each refusal of the core maps, through the one
// table, to its IAM code and status; wrapped, too.
func TestEveryKindHasAStatus(t *testing.T) {
	want := map[iam.Kind]int{
		iam.NoSuchEntity: 404, iam.EntityAlreadyExists: 409, iam.DeleteConflict: 409, iam.LimitExceeded: 409,
		iam.ValidationError: 400, iam.InvalidInput: 400, iam.MalformedPolicyDocument: 400, iam.AccessDenied: 403,
		iam.PasswordPolicyViolation: 400, iam.InvalidUserType: 400,
	}
	for k := iam.KindNone + 1; k.String() != fmt.Sprintf("Kind(%d)", k); k++ {
		t.Run(k.String(), func(t *testing.T) {
			if _, ok := statusOf[k.String()]; !ok {
				t.Fatalf("%s is not in statusOf", k)
			}
			ae := mustAPIError(fmt.Errorf("context: %w", iam.Errorf(k, "msg %d", k)))
			if ae.Code != k.String() || ae.Status != want[k] || ae.Message != fmt.Sprintf("msg %d", k) {
				t.Errorf("toAPIError = %+v, want %s with status %d", ae, k, want[k])
			}
		})
	}
	if ae, known := toAPIError(errors.New("disk on fire")); known || ae.Code != "ServiceFailure" || strings.Contains(ae.Message, "fire") {
		t.Errorf("an internal failure answered %+v, %v", ae, known)
	}
}

func TestURLEncodeRoundTrips(t *testing.T) {
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\", " +
		"\"Condition\": {\"StringEquals\": {\"aws:username\": \"a+b=c&d/é~\"}}}]\n}"
	enc := urlEncode(doc)
	for _, c := range enc {
		if c == '+' || c == ' ' || c == '\n' || c == '"' {
			t.Fatalf("%q left unencoded in %s", c, enc)
		}
	}
	if got, err := url.PathUnescape(enc); err != nil || got != doc {
		t.Fatalf("PathUnescape = %q, %v", got, err)
	}
	if got := urlEncode(`{"Action":"*"}`); got != "%7B%22Action%22%3A%22*%22%7D" {
		t.Errorf("urlEncode = %s", got)
	}
}
