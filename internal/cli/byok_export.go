package cli

import (
	"flag"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/byokflow"
)

var byokExportHelp = `Usage: trent byok export --hsm-key REF --out-dir DIR PARAMETERS [flags]

Air-gapped, HSM side: wrap the HSM key under KMS's wrapping key and write
wrapped.key, token.bin and import.json for trent byok upload.

Required:
  --hsm-key REF   the AES-256 key: label:NAME, id:HEX or a pkcs11: URI
  --out-dir DIR   where to write the files (not holding an export yet)
  PARAMETERS      --params-file FILE: ImportParameters.zip (the console's, or
                  trent byok params') or the JSON of aws kms
                  get-parameters-for-import, as they are;
                  or --public-key and --import-token (the zip's entries);
                  or --key-id alone, to get them from KMS
  --algorithm     only when the parameters do not record it (the JSON and
                  the console's files): the --wrapping-algorithm they were
                  requested with; a mismatch with a recorded one is refused
                  before the wrap

Example:
  trent byok export --nss-db sql:/etc/pki/nssdb --hsm-key label:kms-aes \
      --params-file ImportParameters.zip --out-dir ./to-kms

Steps (from parameter files):
` + mustPlan(byokflow.NewExport(byokflow.ExportOptions{Key: byokflow.KeyChoice{Ref: "k"}, ParamsFile: "p", OutDir: "/nonexistent"})) + `
Steps (with --key-id alone):
` + mustPlan(byokflow.NewExport(byokflow.ExportOptions{Key: byokflow.KeyChoice{Ref: "k"}, KeyID: "k", OutDir: "/nonexistent"}))

func byokExportFlags(fs *flag.FlagSet) func(*byokRun) error {
	var (
		o  byokflow.ExportOptions
		tf tokenFlags
	)
	tf.define(fs)
	defineKMS(fs, &o.KMS)
	defineHSMKey(fs, &o.Key, false)
	fs.StringVar(&o.ParamsFile, "params-file", "", "ImportParameters.zip, or the JSON that aws kms get-parameters-for-import printed")
	fs.StringVar(&o.PublicKeyFile, "public-key", "", "the zip's wrapping key file (WrappingPublicKey.bin or wrappingKey_<key-id>_<time>; DER, base64 or PEM); with --import-token")
	fs.StringVar(&o.TokenFile, "import-token", "", "the zip's import token file (ImportToken.bin or importToken_<key-id>_<time>)")
	fs.StringVar(&o.KeyID, "key-id", "", "the KMS key (key ID or ARN): without parameter files, trent asks KMS for them")
	fs.StringVar(&o.Algorithm, "algorithm", "", "the wrapping algorithm ("+algorithmsHelp+"): with parameter files that do not record it, the one they were requested for; otherwise forces one")
	fs.StringVar(&o.Spec, "wrapping-key-spec", byok.RSA3072, "KMS wrapping key spec when trent asks KMS for the parameters")
	fs.StringVar(&o.WrappingKey, "wrapping-key", "", "use this RSA public key object already in the token (e.g. imported with Luna's cmu import) instead of importing a session copy; it must be the parameters' wrapping key")
	fs.StringVar(&o.OutDir, "out-dir", "", "directory to write wrapped.key, token.bin and import.json to (required)")
	return func(r *byokRun) error {
		o.OpenToken = r.tokenOpener(&tf)
		o.Key.ConfirmHandle = confirmAsker(r.stderr, "export")
		o.ConfirmWrappingKey = confirmAsker(r.stderr, "wrap under")
		ex, err := byokflow.NewExport(o)
		if err != nil {
			return err
		}
		res, err := ex.Run(r.ctx, r.prog)
		if err != nil {
			return confirmHint(err, "confirm --hsm-key with --hsm-label or --hsm-id; name --wrapping-key by label, id or URI")
		}
		m := res.Manifest
		return r.printResult(res, [][2]string{
			{"dir", res.Dir}, {"key_id", m.KeyID}, {"wrapping_algorithm", m.WrappingAlgorithm},
			{"wrapping_key_spec", m.WrappingKeySpec}, {"parameters_valid_to", timeString(m.ParametersValidTo)},
			{"hsm_key", m.HSMKey.String()}, {"hsm_key_uri", m.HSMKey.URI}, {"hsm_kcv", m.HSMKey.KCVString()},
			{"next", "trent byok upload --dir " + res.Dir + " (before the import token expires)"},
		})
	}
}
