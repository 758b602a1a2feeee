package byokflow

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// UploadOptions are what trent byok upload is asked to do: import what
// trent byok export wrote, on a host that reaches KMS.
type UploadOptions struct {
	KMS    KMSConfig
	Dir    string
	Expiry Expiration
}

// UploadResult is what trent byok upload reports.
type UploadResult struct {
	KeyID             string     `json:"key_id"`
	KeyARN            string     `json:"key_arn"`
	KeyState          string     `json:"key_state"`
	KeyMaterialID     string     `json:"key_material_id"`
	Reimport          bool       `json:"reimport"`
	ExpirationModel   string     `json:"expiration_model"`
	ValidTo           *time.Time `json:"valid_to,omitempty"`
	WrappingAlgorithm string     `json:"wrapping_algorithm"`
	HSMKey            HSMKey     `json:"hsm_key"`
	Verified          string     `json:"verified"`
}

// Upload is one run of trent byok upload.
type Upload struct {
	o              UploadOptions
	m              *Manifest
	wrapped, token []byte
	conn           *Conn
	md             *types.KeyMetadata
	res            UploadResult
}

// NewUpload checks the options.
func NewUpload(o UploadOptions) (*Upload, error) {
	if o.Dir == "" {
		return nil, usagef("--dir is required: the directory trent byok export wrote")
	}
	return &Upload{o: o}, nil
}

// Plan is the run's steps. Nothing is undone: the import is the last
// change and KMS makes it whole or not at all.
func (u *Upload) Plan() Plan {
	return Plan{
		{Title: "read the export", Do: u.read},
		{Title: "reach KMS and check the KMS key", Do: u.checkKey},
		{Title: "import the key material into KMS", Do: func(ctx context.Context) (string, error) {
			current := ""
			if u.res.Reimport {
				current = aws.ToString(u.md.CurrentKeyMaterialId)
			}
			id, err := u.conn.importMaterial(ctx, aws.ToString(u.md.Arn), u.token, u.wrapped, u.o.Expiry, current)
			u.res.KeyMaterialID = id
			return "KeyMaterialId " + id, err
		}},
		{Title: "check the KMS key's state", Do: func(ctx context.Context) (string, error) {
			return u.conn.checkState(ctx, aws.ToString(u.md.Arn), u.res.KeyMaterialID, u.o.Expiry, types.KeyState(u.res.KeyState))
		}},
	}
}

// Run runs the plan and returns the result.
func (u *Upload) Run(ctx context.Context, obs Observer) (UploadResult, error) {
	err := u.Plan().Run(ctx, obs)
	return u.res, err
}

func (u *Upload) read(context.Context) (string, error) {
	var err error
	if u.m, u.wrapped, u.token, err = ReadExport(u.o.Dir); err != nil {
		return "", err
	}
	m := u.m
	if err := checkNotExpired(m.ParametersValidTo, time.Now(), "run trent byok export again with new parameters"); err != nil {
		return "", err
	}
	valid := "(not known)"
	if m.ParametersValidTo != nil {
		valid = m.ParametersValidTo.UTC().Format(time.RFC3339)
	}
	u.res.WrappingAlgorithm, u.res.HSMKey = m.WrappingAlgorithm, m.HSMKey
	u.res.ExpirationModel, u.res.ValidTo = string(u.o.Expiry.Model), u.o.Expiry.ValidTo
	return fmt.Sprintf("KMS key %s, %s, import token valid until %s, HSM key %s", m.KeyID, m.WrappingAlgorithm, valid, m.HSMKey), nil
}

func (u *Upload) checkKey(ctx context.Context) (string, error) {
	var err error
	if u.conn, err = Connect(ctx, u.o.KMS); err != nil {
		return "", err
	}
	if u.md, err = u.conn.DescribeKey(ctx, u.m.KeyID); err != nil {
		return "", err
	}
	if err := checkImportable(u.md, types.KeyStatePendingImport, types.KeyStateEnabled, types.KeyStateDisabled); err != nil {
		return "", err
	}
	arn := aws.ToString(u.md.Arn)
	u.res.KeyARN, u.res.KeyID = arn, ShortKeyID(arn)
	u.res.KeyState = string(types.KeyStateEnabled)
	u.res.Verified = "key state and current key material; proving that KMS holds the HSM's key needs the HSM: export and upload once more (KMS accepts a second import only of the same material)"
	if u.md.KeyState == types.KeyStateDisabled {
		u.res.KeyState = string(types.KeyStateDisabled) // a disabled key stays disabled
	}
	if u.md.KeyState != types.KeyStatePendingImport {
		u.res.Reimport = true
		u.res.Verified = "KMS accepted this as the same key material the key already held"
		return fmt.Sprintf("%s is %s: it holds key material already, so KMS accepts only the same material again", arn, u.md.KeyState), nil
	}
	return fmt.Sprintf("%s at %s is PendingImport", arn, u.conn.Where), nil
}
