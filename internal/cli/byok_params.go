package cli

import (
	"flag"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/byokflow"
)

var byokParamsHelp = `Usage: trent byok params --key-id KEY [--algorithm ALG] [--wrapping-key-spec SPEC] [--out FILE]

KMS side: get a wrapping public key and import token for a KMS key of origin
EXTERNAL and write them as ImportParameters.zip, the file the console
downloads (WrappingPublicKey.bin, ImportToken.bin, README.txt). The README
records the key, wrapping algorithm, spec and expiry, so that trent byok
export uses the algorithm the import token is bound to. The set is valid
for 24 hours; a later request supersedes it.

Example:
  trent byok params --key-id 1234abcd-12ab-34cd-56ef-1234567890ab \
      --algorithm RSAES_OAEP_SHA_256 --wrapping-key-spec RSA_4096

Steps:
` + mustPlan(byokflow.NewGetParamsZip(byokflow.ParamsOptions{KeyID: "k", Out: "o", Algorithm: byok.RSAESOAEPSHA256, Spec: byok.RSA3072}))

func byokParamsFlags(fs *flag.FlagSet) func(*byokRun) error {
	var o byokflow.ParamsOptions
	defineKMS(fs, &o.KMS)
	fs.StringVar(&o.KeyID, "key-id", "", "the KMS key of origin EXTERNAL (key ID, ARN or alias/NAME; required)")
	fs.StringVar(&o.Algorithm, "algorithm", byok.RSAESOAEPSHA256, "wrapping algorithm: "+algorithmsHelp+" (the token must perform it: see trent hsm mechanisms)")
	fs.StringVar(&o.Spec, "wrapping-key-spec", byok.RSA3072, "wrapping key spec: RSA_2048, RSA_3072 or RSA_4096")
	fs.StringVar(&o.Out, "out", byokflow.ParamsZipName, "the zip file to write")
	return func(r *byokRun) error {
		g, err := byokflow.NewGetParamsZip(o)
		if err != nil {
			return err
		}
		res, err := g.Run(r.ctx, r.prog)
		if err != nil {
			return err
		}
		return r.printResult(res, [][2]string{
			{"file", res.File}, {"key_arn", res.KeyARN}, {"wrapping_algorithm", res.WrappingAlgorithm},
			{"wrapping_key_spec", res.WrappingKeySpec}, {"parameters_valid_to", res.ParametersValidTo},
			{"next", "trent byok export --params-file " + res.File + " --hsm-key label:NAME --out-dir DIR (on the HSM host)"},
		})
	}
}
