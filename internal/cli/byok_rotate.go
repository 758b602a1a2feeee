package cli

import (
	"flag"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/byokflow"
)

var byokRotateHelp = `Usage: trent byok rotate --key-id ID (--hsm-key REF | --generate) EXPIRY [flags]

Rotate a KMS key of origin EXTERNAL to new key material from the HSM:
import an AES-256 key as the key's new material (NEW_KEY_MATERIAL), make
it current (RotateKeyOnDemand), and prove that it is current and that a
ciphertext made before the rotation still decrypts. KMS rotates imported
material of SYMMETRIC_DEFAULT keys only; RSA, EC and HMAC keys are refused.

Required:
  --key-id ID                   the Enabled SYMMETRIC_DEFAULT key of origin
                                EXTERNAL: key ID, ARN or alias/NAME
  --hsm-key REF or --generate   the new key: label:NAME, id:HEX or a pkcs11:
                                URI (not the key's current material), or a
                                new one
  EXPIRY                        --no-expiry, --valid-to TIME or --expires-in 90d
  token flags                   as for trent hsm (--module, --nss-db, --uri, …)

Example:
  AWS_ENDPOINT_URL_KMS=http://127.0.0.1:8700 \
  trent byok rotate --module /usr/lib/softhsm/libsofthsm2.so --token-label kms \
      --key-id alias/payments --generate --hsm-label kms-aes-2027 --no-expiry

Steps:
` + mustPlan(byokflow.NewRotate(byokflow.RotateOptions{KeyID: "k", Key: byokflow.KeyChoice{Ref: "k"}, Spec: byok.RSA3072})) + `
KMS refuses, as new material, material the key already holds: an HSM key
that is the current (or an earlier) material is refused at step 10. The
earlier material stays with the key, NON_CURRENT, and keeps decrypting
what it encrypted; once the rotation is made it is not undone.
`

func byokRotateFlags(fs *flag.FlagSet) func(*byokRun) error {
	var (
		o  byokflow.RotateOptions
		tf tokenFlags
		ef expiryFlags
	)
	tf.define(fs)
	defineKMS(fs, &o.KMS)
	defineHSMKey(fs, &o.Key, true)
	ef.define(fs)
	fs.StringVar(&o.KeyID, "key-id", "", "the KMS key to rotate: Enabled, SYMMETRIC_DEFAULT, origin EXTERNAL (key ID, ARN or alias/NAME)")
	fs.StringVar(&o.Algorithm, "algorithm", "", "force the wrapping algorithm (default: the strongest both the token and KMS support, RSAES_OAEP_SHA_256 before RSAES_OAEP_SHA_1)")
	fs.StringVar(&o.Spec, "wrapping-key-spec", byok.RSA3072, "KMS wrapping key: RSA_2048, RSA_3072 or RSA_4096")
	return func(r *byokRun) error {
		var err error
		if err := o.Key.CheckChoice(); err != nil {
			return err
		}
		if o.Expiry, err = ef.resolve(); err != nil {
			return err
		}
		o.OpenToken = r.tokenOpener(&tf)
		o.Key.ConfirmHandle = confirmAsker(r.stderr, "import")
		rot, err := byokflow.NewRotate(o)
		if err != nil {
			return err
		}
		res, err := rot.Run(r.ctx, r.prog)
		if err != nil {
			return confirmHint(err, "confirm it with --hsm-label or --hsm-id")
		}
		return r.printResult(res, [][2]string{
			{"key_id", res.KeyID}, {"key_arn", res.KeyARN}, {"previous_key_material_id", res.PreviousKeyMaterialID},
			{"key_material_id", res.KeyMaterialID}, {"expiration_model", res.ExpirationModel}, {"valid_to", timeString(res.ValidTo)},
			{"wrapping_algorithm", res.WrappingAlgorithm}, {"wrapping_key_spec", res.WrappingKeySpec},
			{"hsm_key", res.HSMKey.String()}, {"hsm_key_uri", res.HSMKey.URI}, {"hsm_kcv", res.HSMKey.KCVString()}, {"proof", res.Proof},
		})
	}
}
