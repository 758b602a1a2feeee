package cli

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/byokflow"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// defineKMS defines the flags that say how to reach KMS.
func defineKMS(fs *flag.FlagSet, k *byokflow.KMSConfig) {
	fs.StringVar(&k.Endpoint, "endpoint-url", "", "KMS endpoint, e.g. http://127.0.0.1:8700 for Trent (default: AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, the profile's endpoint_url, or AWS KMS itself)")
	fs.StringVar(&k.Region, "region", "", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region)")
	fs.StringVar(&k.Profile, "profile", "", "profile of the shared AWS config and credentials files (default: AWS_PROFILE or default)")
}

// expiryFlags are the key material's expiration.
type expiryFlags byokflow.ExpiryChoice

func (e *expiryFlags) define(fs *flag.FlagSet) {
	fs.BoolVar(&e.NoExpiry, "no-expiry", false, "the key material does not expire (KEY_MATERIAL_DOES_NOT_EXPIRE)")
	fs.StringVar(&e.ValidTo, "valid-to", "", "the key material expires at this time: RFC 3339 (2027-01-31T00:00:00Z) or a date (2027-01-31, midnight UTC); at most 365 days ahead")
	fs.StringVar(&e.ExpireIn, "expires-in", "", "the key material expires after this long: 90d, 8760h, … (at most 365d)")
}

func (e *expiryFlags) resolve() (byokflow.Expiration, error) {
	return byokflow.ExpiryChoice(*e).Resolve(time.Now())
}

// defineHSMKey defines the flags that choose the HSM key.
func defineHSMKey(fs *flag.FlagSet, c *byokflow.KeyChoice, generate bool) {
	fs.StringVar(&c.Ref, "hsm-key", "", "the AES-256 key in the token: label:NAME, id:HEX, a pkcs11: URI or a plain label (a bare handle number only with --hsm-label/--hsm-id, or a yes on the terminal)")
	fs.StringVar(&c.Label, "hsm-label", "", "with --hsm-key: the label the key must have (confirms a bare handle); with --generate: CKA_LABEL of the new key (default trent-byok-<UTC time>)")
	fs.StringVar(&c.ID, "hsm-id", "", "with --hsm-key: the CKA_ID (hex) the key must have; with --generate: the new key's CKA_ID (default 8 random bytes)")
	if generate {
		fs.BoolVar(&c.Generate, "generate", false, "generate a new AES-256 key in the token (token object, sensitive, extractable) instead of --hsm-key")
		fs.BoolVar(&c.Keep, "keep-generated", false, "keep the key --generate made even if the run fails before the key reaches KMS")
	}
}

// tokenOpener opens the token the flags select, for byokflow.
func (r *byokRun) tokenOpener(tf *tokenFlags) byokflow.TokenOpener {
	return func(notice func(string)) (*pkcs11.Token, error) {
		cfg, uri, err := tf.config()
		if err != nil {
			return nil, usageError{err}
		}
		cfg.Notice = notice
		cfg.PIN = tf.pinSource(r.ctx, uri, r.stderr)
		return pkcs11.Open(cfg)
	}
}

// tagFlags is a repeatable KEY=VALUE flag.
type tagFlags []types.Tag

func (t *tagFlags) String() string { return "" }

func (t *tagFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q is not KEY=VALUE", s)
	}
	*t = append(*t, types.Tag{TagKey: aws.String(k), TagValue: aws.String(v)})
	return nil
}

// timeString is t in RFC 3339, or "".
func timeString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
