package main

import (
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// newClient returns a KMS client for endpoint that signs with the given
// key, keeps at least conns idle connections to the server, and does not
// retry: every call is one request, and its error is the server's.
func newClient(endpoint, region, accessKey, secretKey, sessionToken string, conns int) *kms.Client {
	transport := &http.Transport{
		Proxy:               nil, // a benchmark measures the server, never a proxy
		MaxIdleConns:        conns + 16,
		MaxIdleConnsPerHost: conns + 16,
		IdleConnTimeout:     90 * time.Second,
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, sessionToken),
		HTTPClient:  &http.Client{Transport: transport, Timeout: 30 * time.Second},
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
	return kms.NewFromConfig(cfg, func(o *kms.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}

// envCredentials returns the access key for -endpoint from the standard
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or else
// from TRENT_ROOT_ACCESS_KEY_ID and TRENT_ROOT_SECRET_ACCESS_KEY, the
// variables that set a server's root key.
func envCredentials() (accessKey, secretKey, sessionToken string, err error) {
	if id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return id, secret, os.Getenv("AWS_SESSION_TOKEN"), nil
	}
	if id, secret := os.Getenv("TRENT_ROOT_ACCESS_KEY_ID"), os.Getenv("TRENT_ROOT_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return id, secret, "", nil
	}
	return "", "", "", errors.New("-endpoint needs credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or TRENT_ROOT_ACCESS_KEY_ID and TRENT_ROOT_SECRET_ACCESS_KEY)")
}
