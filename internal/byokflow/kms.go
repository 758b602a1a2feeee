package byokflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// KMSConfig says how to reach KMS. Everything else (credentials, profile
// settings, AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL) is the AWS SDK's
// standard configuration.
type KMSConfig struct {
	Endpoint, Region, Profile string
}

// PingTimeout bounds the reachability check Connect makes.
var PingTimeout = 5 * time.Second

// Conn is a KMS client and where it goes.
type Conn struct {
	c     *kms.Client
	Where string // "http://127.0.0.1:8700 (region us-east-1)"
}

// Connect loads the AWS SDK configuration, checks that it has a region
// and credentials, and makes one cheap signed call (ListKeys, Limit 1)
// with a short timeout and no retries: a KMS that is down, or refuses
// the credentials, is reported before anything is made in the HSM or KMS.
// ListKeys needs kms:ListKeys; a credential denied only that is let
// through (the calls that follow will say what they lack).
func Connect(ctx context.Context, k KMSConfig) (*Conn, error) {
	var opts []func(*config.LoadOptions) error
	if k.Region != "" {
		opts = append(opts, config.WithRegion(k.Region))
	}
	if k.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(k.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: give --region, set AWS_REGION, or set region in the profile")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("no usable AWS credentials (%v): set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for Trent: AWS_SHARED_CREDENTIALS_FILE=trent-data/root-credentials)", err)
	}
	c := kms.NewFromConfig(cfg, func(o *kms.Options) {
		if k.Endpoint != "" {
			o.BaseEndpoint = aws.String(k.Endpoint)
		}
	})
	where := "AWS KMS"
	if e := c.Options().BaseEndpoint; e != nil {
		where = *e
	}
	conn := &Conn{c: c, Where: fmt.Sprintf("%s (region %s)", where, cfg.Region)}
	return conn, conn.ping(ctx)
}

// ping is Connect's reachability check.
func (k *Conn) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, PingTimeout)
	defer cancel()
	_, err := k.c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1)}, func(o *kms.Options) { o.RetryMaxAttempts = 1 })
	if err == nil || apiCode(kmsError("", err)) == "AccessDeniedException" {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("KMS at %s did not answer within %s: check the endpoint (--endpoint-url, AWS_ENDPOINT_URL_KMS) and that KMS is running and reachable", k.Where, PingTimeout)
	}
	return kmsError("ListKeys (reachability check)", err)
}

// kmsAdvice says what to do about a KMS error code.
var kmsAdvice = map[string]string{
	"NotFoundException":                   "no such key in this account and region: check --key-id, --region and the endpoint",
	"InvalidArnException":                 "the key ARN is malformed: give a key ID, a key ARN or alias/NAME",
	"KMSInvalidStateException":            "the key's state does not allow this; see it with aws kms describe-key",
	"UnsupportedOperationException":       "KMS does not support this for the key (origin, key spec, or wrapping algorithm and key spec): leave out --algorithm to let trent choose one KMS accepts",
	"ExpiredImportTokenException":         "import tokens are valid for 24 hours: get new parameters (trent byok params or export again, or run trent byok import)",
	"InvalidImportTokenException":         "get new parameters and wrap again",
	"InvalidCiphertextException":          "KMS could not unwrap the key material: it was wrapped with another algorithm or public key than the import token's (the parameters' wrapping algorithm is recorded by trent byok params; with get-parameters-for-import JSON, --algorithm must be the --wrapping-algorithm given to it)",
	"IncorrectKeyMaterialException":       "the key material is not the material this KMS key holds: the HSM key is not the key imported before",
	"AlreadyExistsException":              "choose another --alias, or delete the existing alias",
	"AccessDeniedException":               "the credentials are not allowed to do this: check the key policy and IAM permissions",
	"UnrecognizedClientException":         "KMS does not know the access key: check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, the shared credentials file)",
	"InvalidSignatureException":           "KMS refused the request signature: check the secret access key, and that the region matches the server's",
	"IncompleteSignatureException":        "KMS refused the request signature: check the credentials",
	"LimitExceededException":              "a KMS quota was reached: wait and run again",
	"ThrottlingException":                 "KMS is throttling requests: wait and run again",
	"DependencyTimeoutException":          "KMS timed out: run again",
	"KMSInternalException":                "KMS failed internally: run again",
	"MissingAuthenticationTokenException": "the request was not signed: check the credentials",
}

// KMSError is a failed KMS call: KMS's error code (empty for a transport
// failure) and the message for the user.
type KMSError struct {
	Code, msg string
}

func (e *KMSError) Error() string { return e.msg }

// kmsError makes an error of a KMS call that says the operation, KMS's
// error code and message, and what to do. KMS's own message is kept as it
// is; the advice is added once, after it.
func kmsError(op string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		s := fmt.Sprintf("KMS %s: %s: %s", op, ae.ErrorCode(), ae.ErrorMessage())
		if a := kmsAdvice[ae.ErrorCode()]; a != "" {
			s += " — " + a
		}
		return &KMSError{Code: ae.ErrorCode(), msg: s}
	}
	if errors.Is(err, context.Canceled) {
		return &KMSError{msg: fmt.Sprintf("KMS %s: interrupted", op)}
	}
	return &KMSError{msg: fmt.Sprintf("KMS %s: %v — check the endpoint (--endpoint-url, AWS_ENDPOINT_URL_KMS) and that KMS is reachable", op, err)}
}

// apiCode is a KMS error's code, or "".
func apiCode(err error) string {
	var ke *KMSError
	if errors.As(err, &ke) {
		return ke.Code
	}
	return ""
}

// DescribeKey returns a key's metadata.
func (k *Conn) DescribeKey(ctx context.Context, ref string) (*types.KeyMetadata, error) {
	out, err := k.c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
	if err != nil {
		return nil, kmsError("DescribeKey", err)
	}
	return out.KeyMetadata, nil
}

// checkImportable checks that a key can take key material from an AES
// key: origin EXTERNAL, SYMMETRIC_DEFAULT, and a state in states.
func checkImportable(md *types.KeyMetadata, states ...types.KeyState) error {
	id := aws.ToString(md.Arn)
	if md.Origin != types.OriginTypeExternal {
		return fmt.Errorf("KMS key %s has origin %s: only keys created with origin EXTERNAL take imported key material; leave out --key-id to create one", id, md.Origin)
	}
	if md.KeySpec != "" && md.KeySpec != types.KeySpecSymmetricDefault {
		return fmt.Errorf("KMS key %s is a %s key: trent byok imports AES-256 keys, into SYMMETRIC_DEFAULT KMS keys", id, md.KeySpec)
	}
	for _, s := range states {
		if md.KeyState == s {
			return nil
		}
	}
	switch md.KeyState {
	case types.KeyStateEnabled, types.KeyStateDisabled:
		return fmt.Errorf("KMS key %s is %s, not PendingImport: it already holds key material; trent byok import imports into a key that awaits its material. To import the same material again (e.g. to change its expiry), use trent byok export and trent byok upload; for a new key, leave out --key-id", id, md.KeyState)
	case types.KeyStatePendingDeletion:
		return fmt.Errorf("KMS key %s is pending deletion: cancel it first (aws kms cancel-key-deletion) or leave out --key-id to create a new key", id)
	}
	return fmt.Errorf("KMS key %s is %s, not PendingImport", id, md.KeyState)
}

// ShortKeyID is the key ID of a key ARN.
func ShortKeyID(ref string) string {
	for i := len(ref) - 1; i >= 0; i-- {
		if ref[i] == '/' {
			return ref[i+1:]
		}
	}
	return ref
}
