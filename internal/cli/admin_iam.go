package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// adminIAMCommands are the `trent admin` commands that manage users and
// access keys. They are clients of a running server's IAM API — the same
// calls `aws iam` makes — so a script need not install the AWS CLI, and the
// server's caches see every change.
var adminIAMCommands = map[string]func(ctx context.Context, c *iam.Client, fs *flag.FlagSet, args []string) (any, error){
	"create-user": func(ctx context.Context, c *iam.Client, fs *flag.FlagSet, args []string) (any, error) {
		name := fs.String("user-name", "", "the new user's name")
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: name})
		if err != nil {
			return nil, err
		}
		return out.User, nil
	},
	"list-users": func(ctx context.Context, c *iam.Client, fs *flag.FlagSet, args []string) (any, error) {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		var users []iamtypes.User
		for p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{}); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			users = append(users, page.Users...)
		}
		return users, nil
	},
	"delete-user": func(ctx context.Context, c *iam.Client, fs *flag.FlagSet, args []string) (any, error) {
		name := fs.String("user-name", "", "the user to delete")
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: name})
		return nil, err
	},
	"create-access-key": func(ctx context.Context, c *iam.Client, fs *flag.FlagSet, args []string) (any, error) {
		name := fs.String("user-name", "", "the user (default: the caller)")
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: optional(*name)})
		if err != nil {
			return nil, err
		}
		return out.AccessKey, nil
	},
	"list-access-keys": func(ctx context.Context, c *iam.Client, fs *flag.FlagSet, args []string) (any, error) {
		name := fs.String("user-name", "", "the user (default: the caller)")
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		out, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: optional(*name)})
		if err != nil {
			return nil, err
		}
		return out.AccessKeyMetadata, nil
	},
	"update-access-key": func(ctx context.Context, c *iam.Client, fs *flag.FlagSet, args []string) (any, error) {
		name := fs.String("user-name", "", "the user (default: the caller)")
		id := fs.String("access-key-id", "", "the access key")
		status := fs.String("status", "", "Active or Inactive")
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: optional(*name), AccessKeyId: id, Status: iamtypes.StatusType(*status)})
		return nil, err
	},
	"delete-access-key": func(ctx context.Context, c *iam.Client, fs *flag.FlagSet, args []string) (any, error) {
		name := fs.String("user-name", "", "the user (default: the caller)")
		id := fs.String("access-key-id", "", "the access key")
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: optional(*name), AccessKeyId: id})
		return nil, err
	},
	"attach-user-policy": func(ctx context.Context, c *iam.Client, fs *flag.FlagSet, args []string) (any, error) {
		name := fs.String("user-name", "", "the user")
		arn := fs.String("policy-arn", "", "e.g. arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser")
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: arn})
		return nil, err
	},
	"put-user-policy": func(ctx context.Context, c *iam.Client, fs *flag.FlagSet, args []string) (any, error) {
		name := fs.String("user-name", "", "the user")
		policyName := fs.String("policy-name", "", "the inline policy's name")
		file := fs.String("policy-file", "", "a file holding the JSON policy document")
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		doc, err := os.ReadFile(*file)
		if err != nil {
			return nil, err
		}
		_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: name, PolicyName: policyName, PolicyDocument: aws.String(string(doc))})
		return nil, err
	},
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// runAdminIAM runs one of adminIAMCommands against the server named by
// --endpoint-url (or AWS_ENDPOINT_URL), with the standard AWS credential
// chain, and prints its result as JSON.
func runAdminIAM(name string, args []string, stdout, stderr io.Writer) int {
	cmd := adminIAMCommands[name]
	fs := flag.NewFlagSet("trent admin "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint-url", env("AWS_ENDPOINT_URL", "http://"+DefaultListen), "the Trent server (env AWS_ENDPOINT_URL)")
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		fmt.Fprintln(stderr, "trent admin:", err)
		return 1
	}
	// The endpoint flag is read after parsing, inside BaseEndpoint's closure.
	client := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = endpoint })
	out, err := cmd(ctx, client, fs, args)
	if err == flag.ErrHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "trent admin %s: %v\n", name, err)
		return 1
	}
	if out != nil {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
	}
	return 0
}
