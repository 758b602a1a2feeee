package iamapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/trent-kms/trent/internal/audit"
)

func TestIsQueryRequest(t *testing.T) {
	for _, tc := range []struct {
		contentType, target string
		want                bool
	}{
		{"application/x-www-form-urlencoded", "", true},
		{"application/x-www-form-urlencoded; charset=utf-8", "", true},
		{"Application/X-WWW-Form-Urlencoded", "", true},
		{"application/x-www-form-urlencoded", "TrentService.CreateKey", false},
		{"application/x-amz-json-1.1", "TrentService.CreateKey", false},
		{"application/x-amz-json-1.1", "", false},
		{"", "", false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("Content-Type", tc.contentType)
		if tc.target != "" {
			r.Header.Set("X-Amz-Target", tc.target)
		}
		if got := IsQueryRequest(r); got != tc.want {
			t.Errorf("IsQueryRequest(%q, %q) = %v", tc.contentType, tc.target, got)
		}
	}
}

func TestSigningScopes(t *testing.T) {
	f := newFixture(t)
	gci := url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}}
	lu := url.Values{"Action": {"ListUsers"}, "Version": {iamVersion}}
	for _, tc := range []struct {
		name, service, region string
		form                  url.Values
		code, msg             string
	}{
		{"IAM in us-east-1", "iam", "us-east-1", lu, "", ""},
		{"IAM in the server's region", "iam", testRegion, lu, "", ""},
		{"IAM elsewhere", "iam", "ap-south-1", lu, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'ap-south-1'."},
		{"IAM signed for STS", "sts", "us-east-1", lu, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'iam'."},
		{"STS in the server's region", "sts", testRegion, gci, "", ""},
		{"STS in us-east-1", "sts", "us-east-1", gci, "", ""},
		{"STS signed for KMS", "kms", testRegion, gci, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := f.call(t, root, tc.service, tc.region, tc.form)
			if tc.code == "" {
				must(t, a)
				return
			}
			wantError(t, a, http.StatusForbidden, tc.code, tc.msg)
		})
	}
}

func TestAuthenticationFailures(t *testing.T) {
	f := newFixture(t)
	form := url.Values{"Action": {"ListUsers"}, "Version": {iamVersion}}
	wantError(t, f.call(t, creds{}, "iam", globalRegion, form), 403, "MissingAuthenticationToken", "Request is missing Authentication Token")
	wantError(t, f.call(t, creds{rootID, "wrong"}, "iam", globalRegion, form), 403, "SignatureDoesNotMatch", "The request signature we calculated")
	wantError(t, f.call(t, creds{"AKIAUNKNOWN000000000", "x"}, "iam", globalRegion, form), 403,
		"InvalidClientTokenId", "The security token included in the request is invalid.")
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/20240101/us-east-1/iam/aws4_request")
	r.Header.Set("X-Amz-Date", "20240101T000000Z")
	wantError(t, f.serve(t, r), 400, "IncompleteSignature", "Authorization header requires 'Signature' parameter.")
}

func TestFraming(t *testing.T) {
	f := newFixture(t)
	wantError(t, f.call(t, root, "iam", globalRegion, url.Values{"Action": {"CreateRole"}, "Version": {iamVersion}}),
		400, "InvalidAction", "Could not find operation CreateRole for version 2010-05-08")
	wantError(t, f.call(t, root, "iam", globalRegion, url.Values{"Action": {"CreateUser"}, "Version": {"2011-06-15"}}),
		400, "InvalidAction", "Could not find operation CreateUser for version 2011-06-15")
	wantError(t, f.call(t, root, "iam", globalRegion, url.Values{"Version": {iamVersion}}), 400, "MissingAction", "")
	// The STS namespace for STS errors.
	a := f.call(t, creds{"AKIAUNKNOWN000000000", "x"}, "sts", testRegion, url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}})
	if !strings.Contains(a.body, stsNamespace) {
		t.Errorf("STS error without the STS namespace: %s", a.body)
	}
	big := strings.Repeat("a", DefaultMaxBody+1)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=ListUsers&Version=2010-05-08&X="+big))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	wantError(t, f.serve(t, r), 413, "RequestEntityTooLarge", "")
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=%zz"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	wantError(t, f.serve(t, r), 400, "MalformedQueryString", "")
}

func TestCaseInsensitiveNames(t *testing.T) {
	f := newFixture(t)
	must(t, f.iam(t, root, "CreateUser", "UserName", "Alice"))
	wantError(t, f.iam(t, root, "CreateUser", "UserName", "alice"), 409, "EntityAlreadyExists", "User with name alice already exists.")
	a := must(t, f.iam(t, root, "GetUser", "UserName", "ALICE"))
	if !strings.Contains(a.body, "<UserName>Alice</UserName>") || !strings.Contains(a.body, ":user/Alice</Arn>") {
		t.Errorf("GetUser(ALICE) = %s", a.body)
	}
	must(t, f.iam(t, root, "PutUserPolicy", "UserName", "aLiCe", "PolicyName", "p",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`))
	if len(f.changed) != 1 || f.changed[0] != "Alice" {
		t.Errorf("OnUserChange calls = %v, want [Alice]", f.changed)
	}
}

func TestAuditRecords(t *testing.T) {
	f := newFixture(t)
	bob := f.newUser(t, "bob")
	must(t, f.call(t, bob, "sts", testRegion, url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}}))
	wantError(t, f.iam(t, bob, "ListUsers"), 403, "AccessDenied", "")
	if err := f.trail.Sync(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(f.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(bob.secret)) || bytes.Contains(raw, []byte(rootSecret)) {
		t.Fatal("a secret access key is in the audit log")
	}
	var recs []*audit.Record
	if err := audit.Read(f.auditPath, audit.Filter{}, func(r *audit.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4", len(recs))
	}
	user, key, sts, denied := recs[0], recs[1], recs[2], recs[3]
	// The answer is recorded with CloudTrail's names.
	if user.EventName != "CreateUser" || !strings.Contains(string(user.ResponseElements), `"userName":"bob"`) ||
		!strings.Contains(string(user.ResponseElements), `"userId":"AIDA`) {
		t.Errorf("CreateUser record: %s", user.ResponseElements)
	}
	if key.EventSource != audit.SourceIAM || key.EventName != "CreateAccessKey" || key.AWSRegion != "us-east-1" ||
		key.UserIdentity.Type != "Root" || !strings.Contains(string(key.ResponseElements), bob.id) ||
		!strings.Contains(string(key.RequestParameters), `"userName":"bob"`) {
		t.Errorf("CreateAccessKey record: %+v", key)
	}
	if sts.EventSource != audit.SourceSTS || sts.AWSRegion != testRegion || !sts.ReadOnly ||
		sts.UserIdentity.UserName != "bob" || !strings.HasPrefix(sts.UserIdentity.PrincipalID, "AIDA") {
		t.Errorf("GetCallerIdentity record: %+v", sts)
	}
	if denied.ErrorCode != "AccessDenied" || denied.EventName != "ListUsers" {
		t.Errorf("denied record: %+v", denied)
	}
}

func TestConcurrentChangesKeepTheRules(t *testing.T) {
	f := newFixture(t)
	must(t, f.iam(t, root, "CreateUser", "UserName", "bob"))
	names := []string{"Carol", "carol", "CAROL", "cArOl", "caroL", "CaRoL"}
	results := make(chan answer, 2*len(names))
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Add(2)
		go func() { defer wg.Done(); results <- f.iam(t, root, "CreateUser", "UserName", name) }()
		go func() { defer wg.Done(); results <- f.iam(t, root, "CreateAccessKey", "UserName", "bob") }()
	}
	wg.Wait()
	close(results)
	counts := map[string]int{}
	for a := range results {
		counts[a.code]++
	}
	// One Carol and two keys; every other call refused.
	if counts[""] != 3 || counts["EntityAlreadyExists"] != len(names)-1 || counts["LimitExceeded"] != len(names)-2 {
		t.Fatalf("outcomes = %v", counts)
	}
}

func TestCreateUserOptionsAndPathPrefix(t *testing.T) {
	f := newFixture(t)
	wantError(t, f.iam(t, root, "CreateUser", "UserName", "tagged", "Tags.member.1.Key", "team", "Tags.member.1.Value", "x"),
		400, "InvalidInput", "tags")
	wantError(t, f.iam(t, root, "CreateUser", "UserName", "bounded", "PermissionsBoundary", adminARN), 400, "InvalidInput", "")
	must(t, f.iam(t, root, "CreateUser", "UserName", "ann", "Path", "/ops/eu/"))
	must(t, f.iam(t, root, "CreateUser", "UserName", "ben", "Path", "/dev/"))
	a := must(t, f.iam(t, root, "ListUsers", "PathPrefix", "/ops/"))
	if !strings.Contains(a.body, "<UserName>ann</UserName>") || strings.Contains(a.body, "ben") ||
		!strings.Contains(a.body, "<Arn>arn:aws:iam::111122223333:user/ops/eu/ann</Arn>") {
		t.Errorf("ListUsers /ops/ = %s", a.body)
	}
	a = must(t, f.iam(t, root, "GetUser"))
	if !strings.Contains(a.body, "<UserId>111122223333</UserId><Arn>arn:aws:iam::111122223333:root</Arn>") ||
		strings.Contains(a.body, "<UserName>") {
		t.Errorf("root GetUser = %s", a.body)
	}
}
