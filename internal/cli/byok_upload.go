package cli

import (
	"flag"
	"fmt"

	"github.com/trent-kms/trent/internal/byokflow"
)

var byokUploadHelp = `Usage: trent byok upload --dir DIR EXPIRY [flags]

Air-gapped, KMS side: import the key material trent byok export wrote.

Required:
  --dir DIR   the directory trent byok export wrote
  EXPIRY      --no-expiry, --valid-to TIME or --expires-in 90d

Example:
  trent byok upload --dir ./to-kms --expires-in 365d

Steps:
` + mustPlan(byokflow.NewUpload(byokflow.UploadOptions{Dir: "d"})) + `
A second export and upload into the same key proves that KMS holds the
HSM's key: KMS accepts a reimport only of the same material.
`

func byokUploadFlags(fs *flag.FlagSet) func(*byokRun) error {
	var (
		o  byokflow.UploadOptions
		ef expiryFlags
	)
	defineKMS(fs, &o.KMS)
	ef.define(fs)
	fs.StringVar(&o.Dir, "dir", "", "the directory trent byok export wrote (required)")
	return func(r *byokRun) error {
		if o.Dir == "" {
			return usagef("--dir is required: the directory trent byok export wrote")
		}
		var err error
		if o.Expiry, err = ef.resolve(); err != nil {
			return err
		}
		up, err := byokflow.NewUpload(o)
		if err != nil {
			return err
		}
		res, err := up.Run(r.ctx, r.prog)
		if err != nil {
			return err
		}
		return r.printResult(res, [][2]string{
			{"key_id", res.KeyID}, {"key_arn", res.KeyARN}, {"key_state", res.KeyState}, {"key_material_id", res.KeyMaterialID},
			{"reimport", fmt.Sprint(res.Reimport)}, {"expiration_model", res.ExpirationModel}, {"valid_to", timeString(res.ValidTo)},
			{"wrapping_algorithm", res.WrappingAlgorithm}, {"hsm_key", res.HSMKey.String()}, {"hsm_kcv", res.HSMKey.KCVString()},
			{"verified", res.Verified},
		})
	}
}
