package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// iamCommand defines its flags on fs and returns the call to make once
// they are parsed; the call's result, if not nil, is printed as JSON.
type iamCommand func(fs *flag.FlagSet) func(ctx context.Context, c *iam.Client) (any, error)

// adminIAMCommands are the `trent admin` commands that manage users and
// access keys. They are clients of a running server's IAM API — the same
// calls `aws iam` makes — so a script need not install the AWS CLI, and the
// server's caches see every change.
var adminIAMCommands = map[string]iamCommand{
	"create-user": func(fs *flag.FlagSet) func(context.Context, *iam.Client) (any, error) {
		name := fs.String("user-name", "", "the new user's name")
		return func(ctx context.Context, c *iam.Client) (any, error) {
			out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: name})
			if err != nil {
				return nil, err
			}
			return out.User, nil
		}
	},
	"list-users": func(fs *flag.FlagSet) func(context.Context, *iam.Client) (any, error) {
		return func(ctx context.Context, c *iam.Client) (any, error) {
			users := []iamtypes.User{}
			for p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{}); p.HasMorePages(); {
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				users = append(users, page.Users...)
			}
			return users, nil
		}
	},
	"delete-user": func(fs *flag.FlagSet) func(context.Context, *iam.Client) (any, error) {
		name := fs.String("user-name", "", "the user to delete")
		return func(ctx context.Context, c *iam.Client) (any, error) {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: name})
			return nil, err
		}
	},
	"create-access-key": func(fs *flag.FlagSet) func(context.Context, *iam.Client) (any, error) {
		name := fs.String("user-name", "", "the user (default: the caller)")
		profile := fs.String("credentials-profile", "", "print the key as this profile of an AWS shared credentials file (append it to one; mode 0600) instead of JSON")
		return func(ctx context.Context, c *iam.Client) (any, error) {
			out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: optional(*name)})
			if err != nil {
				return nil, err
			}
			if *profile != "" {
				return text(fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
					*profile, aws.ToString(out.AccessKey.AccessKeyId), aws.ToString(out.AccessKey.SecretAccessKey))), nil
			}
			return out.AccessKey, nil
		}
	},
	"list-access-keys": func(fs *flag.FlagSet) func(context.Context, *iam.Client) (any, error) {
		name := fs.String("user-name", "", "the user (default: the caller)")
		return func(ctx context.Context, c *iam.Client) (any, error) {
			out, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: optional(*name)})
			if err != nil {
				return nil, err
			}
			return out.AccessKeyMetadata, nil
		}
	},
	"update-access-key": func(fs *flag.FlagSet) func(context.Context, *iam.Client) (any, error) {
		name := fs.String("user-name", "", "the user (default: the caller)")
		id := fs.String("access-key-id", "", "the access key")
		status := fs.String("status", "", "Active or Inactive")
		return func(ctx context.Context, c *iam.Client) (any, error) {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: optional(*name), AccessKeyId: id, Status: iamtypes.StatusType(*status)})
			return nil, err
		}
	},
	"delete-access-key": func(fs *flag.FlagSet) func(context.Context, *iam.Client) (any, error) {
		name := fs.String("user-name", "", "the user (default: the caller)")
		id := fs.String("access-key-id", "", "the access key")
		return func(ctx context.Context, c *iam.Client) (any, error) {
			_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: optional(*name), AccessKeyId: id})
			return nil, err
		}
	},
	"attach-user-policy": func(fs *flag.FlagSet) func(context.Context, *iam.Client) (any, error) {
		name := fs.String("user-name", "", "the user")
		arn := fs.String("policy-arn", "", "arn:aws:iam::aws:policy/AdministratorAccess or …/AWSKeyManagementServicePowerUser")
		return func(ctx context.Context, c *iam.Client) (any, error) {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: arn})
			return nil, err
		}
	},
	"put-user-policy": func(fs *flag.FlagSet) func(context.Context, *iam.Client) (any, error) {
		name := fs.String("user-name", "", "the user")
		policyName := fs.String("policy-name", "", "the inline policy's name")
		file := fs.String("policy-file", "", "a file holding the JSON policy document")
		return func(ctx context.Context, c *iam.Client) (any, error) {
			doc, err := os.ReadFile(*file)
			if err != nil {
				return nil, err
			}
			_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: name, PolicyName: policyName, PolicyDocument: aws.String(string(doc))})
			return nil, err
		}
	},
}

// text is a result printed as it is rather than as JSON.
type text string

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// iamEndpoint is the server an IAM command talks to: the flag, then the
// environment variables the AWS SDKs read for IAM, then
// AWS_ENDPOINT_URL_KMS — Trent serves IAM where it serves KMS, and that is
// the variable the README's BYOK walk-through sets — then the default.
func iamEndpoint(flagValue string, getenv func(string) string) string {
	if flagValue != "" {
		return flagValue
	}
	for _, name := range []string{"AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS"} {
		if v := getenv(name); v != "" {
			return v
		}
	}
	return "http://" + DefaultListen
}

// runAdminIAM runs one of adminIAMCommands against a Trent server with the
// standard AWS credential chain, and prints its result as JSON.
func runAdminIAM(name string, args []string, stdout, stderr io.Writer) int {
	prefix := "trent admin " + name
	fs := flag.NewFlagSet(prefix, flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpointFlag := fs.String("endpoint-url", "", "the Trent server (default: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_KMS, then http://"+DefaultListen+")")
	profile := fs.String("profile", "", "profile of the shared AWS config and credentials files (default: AWS_PROFILE or default)")
	region := fs.String("region", "", "region of the request signature (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, then us-east-1)")
	call := adminIAMCommands[name](fs)
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags come as --name value)\n", prefix, fs.Arg(0))
		return 2
	}
	ctx := context.Background()
	var opts []func(*config.LoadOptions) error
	if *region != "" {
		opts = append(opts, config.WithRegion(*region))
	}
	if *profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(*profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 1
	}
	if cfg.Region == "" {
		// IAM is global and signed for us-east-1; Trent also accepts its own region.
		cfg.Region = "us-east-1"
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		fmt.Fprintf(stderr, "%s: no usable AWS credentials (%v): for the account root of a Trent data dir, set AWS_SHARED_CREDENTIALS_FILE=trent-data/root-credentials; otherwise AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n", prefix, err)
		return 1
	}
	endpoint := iamEndpoint(*endpointFlag, os.Getenv)
	client := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(endpoint) })
	out, err := call(ctx, client)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", prefix, describeIAMError(err, endpoint))
		return 1
	}
	if t, ok := out.(text); ok {
		fmt.Fprint(stdout, t)
		return 0
	}
	if out != nil {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
			return 1
		}
	}
	return 0
}

// describeIAMError says plainly what went wrong: that the server could not
// be reached, rather than the SDK's retry chain around a dial error.
func describeIAMError(err error, endpoint string) string {
	var netErr *net.OpError
	if errors.As(err, &netErr) && netErr.Op == "dial" {
		return fmt.Sprintf("cannot reach Trent at %s: %v (is trent server running? set --endpoint-url or AWS_ENDPOINT_URL_KMS)", endpoint, netErr.Err)
	}
	return err.Error()
}
