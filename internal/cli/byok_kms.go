package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// kmsFlags say how to reach KMS. Everything else (credentials, profile
// settings, AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL) is the AWS SDK's
// standard configuration.
type kmsFlags struct {
	endpoint, region, profile string
}

func (k *kmsFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&k.endpoint, "endpoint-url", "", "KMS endpoint, e.g. http://127.0.0.1:8700 for Trent (default: AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, the profile's endpoint_url, or AWS KMS itself)")
	fs.StringVar(&k.region, "region", "", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region)")
	fs.StringVar(&k.profile, "profile", "", "profile of the shared AWS config and credentials files (default: AWS_PROFILE or default)")
}

// kmsConn is a KMS client and where it goes.
type kmsConn struct {
	c     *kms.Client
	where string // "http://127.0.0.1:8700 (region us-east-1)"
}

// connect loads the AWS SDK configuration and checks that it has a region
// and credentials, so that a missing one is reported before anything is
// made.
func (k *kmsFlags) connect(ctx context.Context) (*kmsConn, error) {
	var opts []func(*config.LoadOptions) error
	if k.region != "" {
		opts = append(opts, config.WithRegion(k.region))
	}
	if k.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(k.profile))
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
		if k.endpoint != "" {
			o.BaseEndpoint = aws.String(k.endpoint)
		}
	})
	where := "AWS KMS"
	if e := c.Options().BaseEndpoint; e != nil {
		where = *e
	}
	return &kmsConn{c: c, where: fmt.Sprintf("%s (region %s)", where, cfg.Region)}, nil
}

// kmsAdvice says what to do about a KMS error code.
var kmsAdvice = map[string]string{
	"NotFoundException":                   "no such key in this account and region: check --key-id, --region and the endpoint",
	"InvalidArnException":                 "the key ARN is malformed: give a key ID, a key ARN or alias/NAME",
	"KMSInvalidStateException":            "the key's state does not allow this; see it with aws kms describe-key",
	"UnsupportedOperationException":       "KMS does not support this for the key (origin, key spec, or wrapping algorithm and key spec): leave out --algorithm to let trent choose one KMS accepts",
	"ExpiredImportTokenException":         "import tokens are valid for 24 hours: get new parameters (trent byok export again, or run trent byok import)",
	"InvalidImportTokenException":         "the import token is not the current one of this key (a later get-parameters-for-import superseded it, or it was used already) or belongs to another key: get new parameters and wrap again",
	"InvalidCiphertextException":          "KMS could not unwrap the key material: it was wrapped with another algorithm or public key than the import token's (with a parameters file, --algorithm must be the --wrapping-algorithm given to get-parameters-for-import)",
	"IncorrectKeyMaterialException":       "the key material is not the material this KMS key holds: the HSM key is not the key imported before",
	"AlreadyExistsException":              "choose another --alias, or delete the existing alias",
	"AccessDeniedException":               "the credentials are not allowed to do this: check the key policy and IAM permissions",
	"UnrecognizedClientException":         "KMS does not know the access key: check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, the shared credentials file)",
	"InvalidSignatureException":           "KMS refused the request signature: check the secret access key, and that the region matches the server's",
	"IncompleteSignatureException":        "KMS refused the request signature: check the credentials",
	"ValidationException":                 "",
	"LimitExceededException":              "a KMS quota was reached: wait and run again",
	"ThrottlingException":                 "KMS is throttling requests: wait and run again",
	"DependencyTimeoutException":          "KMS timed out: run again",
	"KMSInternalException":                "KMS failed internally: run again",
	"MissingAuthenticationTokenException": "the request was not signed: check the credentials",
}

// kmsErr is a failed KMS call: the operation, KMS's error code (empty
// for a transport failure) and the message for the user.
type kmsErr struct {
	code, msg string
}

func (e *kmsErr) Error() string { return e.msg }

// kmsError makes an error of a KMS call that says the operation, KMS's
// error code and message, and what to do.
func kmsError(op string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		s := fmt.Sprintf("KMS %s: %s: %s", op, ae.ErrorCode(), ae.ErrorMessage())
		if a := kmsAdvice[ae.ErrorCode()]; a != "" {
			s += " — " + a
		}
		return &kmsErr{code: ae.ErrorCode(), msg: s}
	}
	if errors.Is(err, context.Canceled) {
		return &kmsErr{msg: fmt.Sprintf("KMS %s: interrupted", op)}
	}
	return &kmsErr{msg: fmt.Sprintf("KMS %s: %v — check the endpoint (--endpoint-url, AWS_ENDPOINT_URL_KMS) and that KMS is reachable", op, err)}
}

// apiCode is a KMS error's code, or "".
func apiCode(err error) string {
	var ke *kmsErr
	if errors.As(err, &ke) {
		return ke.code
	}
	return ""
}

// describeKey returns a key's metadata.
func (k *kmsConn) describeKey(ctx context.Context, ref string) (*types.KeyMetadata, error) {
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

// expiryFlags are the key material's expiration.
type expiryFlags struct {
	noExpiry          bool
	validTo, expireIn string
}

func (e *expiryFlags) define(fs *flag.FlagSet) {
	fs.BoolVar(&e.noExpiry, "no-expiry", false, "the key material does not expire (KEY_MATERIAL_DOES_NOT_EXPIRE)")
	fs.StringVar(&e.validTo, "valid-to", "", "the key material expires at this time: RFC 3339 (2027-01-31T00:00:00Z) or a date (2027-01-31, midnight UTC); at most 365 days ahead")
	fs.StringVar(&e.expireIn, "expires-in", "", "the key material expires after this long: 90d, 8760h, … (at most 365d)")
}

// expiration is what ImportKeyMaterial takes.
type expiration struct {
	model   types.ExpirationModelType
	validTo *time.Time
}

func (e expiration) String() string {
	if e.validTo == nil {
		return string(e.model)
	}
	return e.validTo.UTC().Format(time.RFC3339)
}

// resolve checks that exactly one expiration was chosen and that it is
// one KMS accepts (in the future, at most 365 days ahead).
func (e *expiryFlags) resolve(now time.Time) (expiration, error) {
	n := 0
	for _, set := range []bool{e.noExpiry, e.validTo != "", e.expireIn != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return expiration{}, usagef("choose the key material's expiration: --no-expiry, --valid-to TIME or --expires-in DURATION (one of them)")
	}
	if e.noExpiry {
		return expiration{model: types.ExpirationModelTypeKeyMaterialDoesNotExpire}, nil
	}
	var t time.Time
	if e.validTo != "" {
		var err error
		if t, err = parseTime(e.validTo); err != nil {
			return expiration{}, usagef("--valid-to %q: %v", e.validTo, err)
		}
	} else {
		d, err := parseDuration(e.expireIn)
		if err != nil {
			return expiration{}, usagef("--expires-in %q: %v", e.expireIn, err)
		}
		t = now.Add(d).Truncate(time.Second)
	}
	switch {
	case !t.After(now):
		return expiration{}, usagef("the expiry %s is not in the future", t.UTC().Format(time.RFC3339))
	case t.After(now.Add(365 * 24 * time.Hour)):
		return expiration{}, usagef("the expiry %s is more than 365 days ahead, which KMS refuses", t.UTC().Format(time.RFC3339))
	}
	t = t.UTC()
	return expiration{model: types.ExpirationModelTypeKeyMaterialExpires, validTo: &t}, nil
}

// parseTime reads RFC 3339, or a date (midnight UTC).
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not an RFC 3339 time (2027-01-31T00:00:00Z) or a date (2027-01-31)")
}

// parseDuration reads a Go duration or a number of days ("90d").
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && fmt.Sprint(n) == days && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("not a duration: use e.g. 90d or 720h")
	}
	return d, nil
}
