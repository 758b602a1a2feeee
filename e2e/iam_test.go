package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// startIAMServer returns a real server, which serves IAM and STS next to
// KMS on the same endpoint.
func startIAMServer(t *testing.T) *endpoint {
	t.Helper()
	return startServer(t)
}

// key returns the credentials to sign with: the root's when id is "".
func (ep *endpoint) key(id, secret string) aws.CredentialsProvider {
	if id == "" {
		id, secret = ep.KeyID, ep.Secret
	}
	return credentials.NewStaticCredentialsProvider(id, secret, "")
}

// iam returns an aws-sdk-go-v2 IAM client signing with the given key.
func (ep *endpoint) iam(id, secret string) *iam.Client {
	return iam.New(iam.Options{Region: region, BaseEndpoint: aws.String(ep.URL), Credentials: ep.key(id, secret),
		HTTPClient: &http.Client{Timeout: 30 * time.Second}})
}

func (ep *endpoint) sts(id, secret string) *sts.Client {
	return sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(ep.URL), Credentials: ep.key(id, secret),
		HTTPClient: &http.Client{Timeout: 30 * time.Second}})
}

func (ep *endpoint) kmsAs(id, secret string) *kms.Client {
	return kms.New(kms.Options{Region: region, BaseEndpoint: aws.String(ep.URL), Credentials: ep.key(id, secret),
		HTTPClient: &http.Client{Timeout: 30 * time.Second}})
}

// queryError asserts that err is the Query-protocol error code with HTTP
// status, and a message containing msg.
func queryError(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || !errors.As(err, &re) {
		t.Fatalf("err = %v, want %d %s", err, status, code)
	}
	if ae.ErrorCode() != code || re.HTTPStatusCode() != status || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("got %d %s: %q, want %d %s: %q", re.HTTPStatusCode(), ae.ErrorCode(), ae.ErrorMessage(), status, code, msg)
	}
}

// eventually retries f for up to two seconds: the real server's KMS caches
// users' policies for a second when nothing invalidates them.
func eventually(t *testing.T, f func() error) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = f(); err == nil {
			return
		}
	}
	t.Fatal(err)
}

func TestIAMUsersKeysAndKMS(t *testing.T) {
	ctx := context.Background()
	ep := startIAMServer(t)
	rootIAM := ep.iam("", "")

	who, err := ep.sts("", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::"+accountID+":root" ||
		aws.ToString(who.UserId) != accountID || aws.ToString(who.Account) != accountID {
		t.Fatalf("root GetCallerIdentity = %+v, %v", who, err)
	}
	me, err := rootIAM.GetUser(ctx, &iam.GetUserInput{})
	if err != nil || aws.ToString(me.User.Arn) != "arn:aws:iam::"+accountID+":root" || aws.ToString(me.User.UserId) != accountID {
		t.Fatalf("root GetUser = %+v, %v", me, err)
	}

	cu, err := rootIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("kms-admin"), Path: aws.String("/ops/")})
	userARN := "arn:aws:iam::" + accountID + ":user/ops/kms-admin"
	if err != nil || aws.ToString(cu.User.Arn) != userARN || aws.ToString(cu.User.Path) != "/ops/" ||
		len(aws.ToString(cu.User.UserId)) != 20 || !strings.HasPrefix(aws.ToString(cu.User.UserId), "AIDA") ||
		cu.User.CreateDate == nil || time.Since(*cu.User.CreateDate) > time.Minute {
		t.Fatalf("CreateUser = %+v, %v", cu, err)
	}
	_, err = rootIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("KMS-Admin")})
	queryError(t, err, 409, "EntityAlreadyExists", "User with name KMS-Admin already exists.")
	_, err = rootIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("no spaces")})
	queryError(t, err, 400, "ValidationError", "Member must satisfy regular expression pattern")
	_, err = rootIAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
	queryError(t, err, 404, "NoSuchEntity", "The user with name bob cannot be found.")

	// Keys: two at most; the secret only in CreateAccessKey.
	k1, err := rootIAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("kms-admin")})
	if err != nil || aws.ToString(k1.AccessKey.UserName) != "kms-admin" || len(aws.ToString(k1.AccessKey.SecretAccessKey)) != 40 {
		t.Fatalf("CreateAccessKey = %+v, %v", k1, err)
	}
	id, secret := aws.ToString(k1.AccessKey.AccessKeyId), aws.ToString(k1.AccessKey.SecretAccessKey)
	remember(t, []byte(secret))
	if _, err := rootIAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("kms-admin")}); err != nil {
		t.Fatal(err)
	}
	_, err = rootIAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("kms-admin")})
	queryError(t, err, 409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	lk, err := rootIAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("kms-admin")})
	if err != nil || len(lk.AccessKeyMetadata) != 2 || lk.IsTruncated {
		t.Fatalf("ListAccessKeys = %+v, %v", lk, err)
	}

	// The new key signs STS, IAM and KMS requests as the user.
	uw, err := ep.sts(id, secret).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(uw.Arn) != userARN || aws.ToString(uw.UserId) != aws.ToString(cu.User.UserId) {
		t.Fatalf("user GetCallerIdentity = %+v, %v", uw, err)
	}
	userIAM, userKMS := ep.iam(id, secret), ep.kmsAs(id, secret)
	_, err = userIAM.ListUsers(ctx, &iam.ListUsersInput{})
	queryError(t, err, 403, "AccessDenied", "User: "+userARN+" is not authorized to perform: iam:ListUsers")
	if _, err := userKMS.CreateKey(ctx, &kms.CreateKeyInput{}); err == nil {
		t.Fatal("a user without policies created a KMS key")
	}
	if _, err := rootIAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("kms-admin"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser")}); err != nil {
		t.Fatal(err)
	}
	var keyID string
	eventually(t, func() error {
		out, err := userKMS.CreateKey(ctx, &kms.CreateKeyInput{})
		if err == nil {
			keyID = aws.ToString(out.KeyMetadata.KeyId)
		}
		return err
	})
	if _, err := userIAM.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers with the power-user policy: %v", err)
	}
	if _, err := userKMS.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x")}); err == nil {
		t.Fatal("the power-user policy allowed kms:Encrypt")
	}

	// An inactive key fails authentication everywhere; reactivated, it works.
	if _, err := rootIAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("kms-admin"),
		AccessKeyId: aws.String(id), Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	_, err = ep.sts(id, secret).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	queryError(t, err, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	_, err = userIAM.GetUser(ctx, &iam.GetUserInput{})
	queryError(t, err, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	_, err = userKMS.ListKeys(ctx, &kms.ListKeysInput{})
	apiError(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")
	if _, err := rootIAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("kms-admin"),
		AccessKeyId: aws.String(id), Status: "Active"}); err != nil {
		t.Fatal(err)
	}
	if _, err := userKMS.ListKeys(ctx, &kms.ListKeysInput{}); err != nil {
		t.Fatalf("ListKeys with the reactivated key: %v", err)
	}

	// DeleteUser refuses while keys or policies remain.
	_, err = rootIAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("kms-admin")})
	queryError(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete access keys first.")
	for _, k := range lk.AccessKeyMetadata {
		if _, err := rootIAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("kms-admin"), AccessKeyId: k.AccessKeyId}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = rootIAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("kms-admin"), AccessKeyId: aws.String(id)})
	queryError(t, err, 404, "NoSuchEntity", "The Access Key with id "+id+" cannot be found.")
	_, err = ep.sts(id, secret).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	queryError(t, err, 403, "InvalidClientTokenId", "")
	_, err = rootIAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("kms-admin")})
	queryError(t, err, 409, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
}

func TestIAMPoliciesAndPaging(t *testing.T) {
	ctx := context.Background()
	ep := startIAMServer(t)
	c := ep.iam("", "")
	for _, name := range []string{"carol", "alice", "bob"} {
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	in := &iam.ListUsersInput{MaxItems: aws.Int32(2)}
	for pages := 1; ; pages++ {
		out, err := c.ListUsers(ctx, in)
		if err != nil || pages > 2 {
			t.Fatalf("ListUsers page %d: %+v, %v", pages, out, err)
		}
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.UserName))
		}
		if !out.IsTruncated {
			break
		}
		in.Marker = out.Marker
	}
	if strings.Join(names, ",") != "alice,bob,carol" {
		t.Fatalf("ListUsers pages = %v", names)
	}
	_, err := c.ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String("garbage")})
	queryError(t, err, 400, "ValidationError", "Invalid Marker.")

	// Managed policies.
	user := aws.String("bob")
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: user, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	queryError(t, err, 404, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/ReadOnlyAccess does not exist or is not attachable.")
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: user, PolicyArn: aws.String("AdministratorAccess-not-an-arn")})
	queryError(t, err, 400, "InvalidInput", "is not valid.")
	admin := aws.String("arn:aws:iam::aws:policy/AdministratorAccess")
	if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: user, PolicyArn: admin}); err != nil {
		t.Fatal(err)
	}
	la, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: user})
	if err != nil || len(la.AttachedPolicies) != 1 || aws.ToString(la.AttachedPolicies[0].PolicyName) != "AdministratorAccess" {
		t.Fatalf("ListAttachedUserPolicies = %+v, %v", la, err)
	}
	if _, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: user, PolicyArn: admin}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: user, PolicyArn: admin})
	queryError(t, err, 404, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/AdministratorAccess was not found.")

	// Inline policies.
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:Encrypt\", \"Resource\": \"*\"}]\n}"
	for bad, msg := range map[string]string{
		"not json": "Syntax errors in policy.",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`: "Policy document should not specify a principal.",
	} {
		_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String("p"), PolicyDocument: aws.String(bad)})
		queryError(t, err, 400, "MalformedPolicyDocument", msg)
	}
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String("encrypt"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	huge := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/` + strings.Repeat("x", 2000) + `"}]}`
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String("huge"), PolicyDocument: aws.String(huge)})
	queryError(t, err, 409, "LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user bob")
	gp, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: user, PolicyName: aws.String("encrypt")})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := url.PathUnescape(aws.ToString(gp.PolicyDocument)); err != nil || got != doc || aws.ToString(gp.PolicyDocument) == doc {
		t.Fatalf("GetUserPolicy document %q (decoded %q, %v), want %q URL-encoded", aws.ToString(gp.PolicyDocument), got, err, doc)
	}
	lp, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: user})
	if err != nil || len(lp.PolicyNames) != 1 || lp.PolicyNames[0] != "encrypt" {
		t.Fatalf("ListUserPolicies = %+v, %v", lp, err)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user})
	queryError(t, err, 409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	if _, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: aws.String("encrypt")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: aws.String("encrypt")})
	queryError(t, err, 404, "NoSuchEntity", "The user policy with name encrypt cannot be found.")
	_, err = c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: user, PolicyName: aws.String("encrypt")})
	queryError(t, err, 404, "NoSuchEntity", "The user policy with name encrypt cannot be found.")
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user})
	queryError(t, err, 404, "NoSuchEntity", "The user with name bob cannot be found.")
}

func TestIAMRootKeysAndSignatures(t *testing.T) {
	ctx := context.Background()
	ep := startIAMServer(t)
	c := ep.iam("", "")
	// The root holds its bootstrap key and may create one more for itself.
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil || k.AccessKey.UserName != nil {
		t.Fatalf("root CreateAccessKey = %+v, %v", k, err)
	}
	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	queryError(t, err, 409, "LimitExceeded", "AccessKeysPerUser")
	lk, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{MaxItems: aws.Int32(1)})
	if err != nil || len(lk.AccessKeyMetadata) != 1 || !lk.IsTruncated {
		t.Fatalf("ListAccessKeys MaxItems 1 = %+v, %v", lk, err)
	}
	remember(t, []byte(aws.ToString(k.AccessKey.SecretAccessKey)))
	newRoot := ep.sts(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey))
	if who, err := newRoot.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || aws.ToString(who.UserId) != accountID {
		t.Fatalf("GetCallerIdentity with the root's new key = %+v, %v", who, err)
	}
	_, err = ep.iam(ep.KeyID, "wrong-secret").ListUsers(ctx, &iam.ListUsersInput{})
	queryError(t, err, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
	_, err = ep.sts("AKIAUNKNOWN000000000", "x").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	queryError(t, err, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	_, err = c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String("AKIANOTAKEY000000000"), Status: "Inactive"})
	queryError(t, err, 404, "NoSuchEntity", "The Access Key with id AKIANOTAKEY000000000 cannot be found.")
}

// TestAWSCLIIAMWalkthrough runs scripts/cli-iam.sh, the README's IAM
// walk-through, as TestAWSCLIWalkthrough runs the KMS one.
func TestAWSCLIIAMWalkthrough(t *testing.T) {
	requireTool(t, "the AWS CLI", func() error {
		_, err := exec.LookPath("aws")
		return err
	})
	ep := startIAMServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), walkthroughTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "../scripts/cli-iam.sh")
	cmd.Env = scriptEnv(ep)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "walk-through complete") {
		t.Fatalf("cli-iam.sh: %v; output:\n%s", err, out)
	}
	t.Logf("cli-iam.sh: %d steps ok", strings.Count(string(out), "ok: "))
}
