package byokflow

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// ParamsOptions are what trent byok params is asked to do: get import
// parameters from KMS and write them as ImportParameters.zip, the file
// the console downloads, with the algorithm and spec recorded.
type ParamsOptions struct {
	KMS             KMSConfig
	KeyID           string
	Algorithm, Spec string
	Out             string
}

// ParamsResult is what trent byok params reports.
type ParamsResult struct {
	File              string `json:"file"`
	KeyARN            string `json:"key_arn"`
	WrappingAlgorithm string `json:"wrapping_algorithm"`
	WrappingKeySpec   string `json:"wrapping_key_spec"`
	ParametersValidTo string `json:"parameters_valid_to"`
}

// GetParamsZip is one run of trent byok params.
type GetParamsZip struct {
	o      ParamsOptions
	conn   *Conn
	params *Params
	res    ParamsResult
}

// NewGetParamsZip checks the options.
func NewGetParamsZip(o ParamsOptions) (*GetParamsZip, error) {
	switch {
	case o.KeyID == "":
		return nil, usagef("--key-id is required: the KMS key of origin EXTERNAL to get import parameters for")
	case o.Out == "":
		return nil, usagef("--out is required, e.g. --out %s", ParamsZipName)
	case !slices.Contains(byok.Specs, o.Spec):
		return nil, usagef("--wrapping-key-spec %q: use %s", o.Spec, strings.Join(byok.Specs, ", "))
	case !slices.Contains(pkcs11.Algorithms, o.Algorithm):
		return nil, usagef("--algorithm %q: use one of %s", o.Algorithm, strings.Join(pkcs11.Algorithms, ", "))
	}
	return &GetParamsZip{o: o}, nil
}

// Plan is the run's steps.
func (g *GetParamsZip) Plan() Plan {
	return Plan{
		{Title: "reach KMS and check the KMS key", Do: func(ctx context.Context) (string, error) {
			var err error
			if g.conn, err = Connect(ctx, g.o.KMS); err != nil {
				return "", err
			}
			md, err := g.conn.DescribeKey(ctx, g.o.KeyID)
			if err != nil {
				return "", err
			}
			if err := checkImportable(md, types.KeyStatePendingImport, types.KeyStateEnabled, types.KeyStateDisabled); err != nil {
				return "", err
			}
			return fmt.Sprintf("%s at %s is %s", aws.ToString(md.Arn), g.conn.Where, md.KeyState), nil
		}},
		{Title: "get the wrapping key and import token from KMS", Do: func(ctx context.Context) (string, error) {
			var err error
			if g.params, err = g.conn.GetParameters(ctx, g.o.KeyID, g.o.Algorithm, g.o.Spec); err != nil {
				return "", err
			}
			return fmt.Sprintf("%s %s public key, import token valid until %s", g.params.Spec, g.params.Algorithm, g.params.ValidToString()), nil
		}},
		{Title: "write " + ParamsZipName, Do: func(context.Context) (string, error) {
			var b bytes.Buffer
			if err := WriteParamsZip(&b, g.params); err != nil {
				return "", err
			}
			if err := WriteFileAtomic(g.o.Out, b.Bytes()); err != nil {
				return "", err
			}
			p := g.params
			g.res = ParamsResult{File: g.o.Out, KeyARN: p.KeyARN, WrappingAlgorithm: p.Algorithm, WrappingKeySpec: p.Spec, ParametersValidTo: p.ValidToString()}
			return g.o.Out, nil
		}},
	}
}

// Run runs the plan and returns the result.
func (g *GetParamsZip) Run(ctx context.Context, obs Observer) (ParamsResult, error) {
	err := g.Plan().Run(ctx, obs)
	return g.res, err
}
