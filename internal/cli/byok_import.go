package cli

import (
	"flag"
	"strings"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/byokflow"
)

var byokImportHelp = `Usage: trent byok import (--hsm-key REF | --generate) EXPIRY [flags]

One command from a key in the HSM to a usable KMS key of origin EXTERNAL,
proved to hold the HSM's key: an AES-256 key (SYMMETRIC_DEFAULT), an RSA
or EC private key (RSA_2048…4096, ECC_NIST_P256/P384/P521,
ECC_SECG_P256K1, for SIGN_VERIFY; the KMS key is created, so no --key-id)
or an HMAC generic secret (HMAC_224…512 by its length).

Required:
  --hsm-key REF or --generate   the key: label:NAME, id:HEX or a pkcs11: URI
                                (trent hsm objects lists them), or a new one
  EXPIRY                        --no-expiry, --valid-to TIME or --expires-in 90d
  token flags                   as for trent hsm (--module, --nss-db, --uri, …)

Example:
  AWS_ENDPOINT_URL_KMS=http://127.0.0.1:8700 \
  trent byok import --module /usr/lib/softhsm/libsofthsm2.so --token-label kms \
      --hsm-key label:kms-aes --alias payments --no-expiry

Steps (creating the key; with --key-id, step 5 is left out):
` + mustPlan(byokflow.NewImport(byokflow.ImportOptions{Key: byokflow.KeyChoice{Ref: "k"}, Spec: byok.RSA3072})) + `
The proof (last step) imports the key a second time, under a fresh import
token and wrapping key, as the key's existing material: KMS accepts that
only for byte-identical material. KMS shows no check value, so the KCV
printed is the HSM's own, for your records. KMS takes no second import of
RSA, EC or HMAC material, so for a key pair the proof is that KMS's public
key is the HSM's and a KMS signature verifies with it, and for an HMAC key
that KMS's GenerateMac equals the HSM's C_Sign with the same HMAC.
`

// mustPlan lists a workflow's steps for a help text.
func mustPlan[T interface{ Plan() byokflow.Plan }](w T, err error) string {
	if err != nil {
		panic(err)
	}
	return w.Plan().Describe()
}

func byokImportFlags(fs *flag.FlagSet) func(*byokRun) error {
	var (
		o  byokflow.ImportOptions
		tf tokenFlags
		ef expiryFlags
		tg tagFlags
	)
	tf.define(fs)
	defineKMS(fs, &o.KMS)
	defineHSMKey(fs, &o.Key, true)
	ef.define(fs)
	fs.StringVar(&o.KeyID, "key-id", "", "an existing KMS key of origin EXTERNAL in state PendingImport (key ID, ARN or alias/NAME); default: create one")
	fs.StringVar(&o.Alias, "alias", "", "alias of the key to create (alias/NAME)")
	fs.StringVar(&o.Description, "description", "", "description of the key to create")
	fs.Var(&tg, "tag", "tag of the key to create, KEY=VALUE (repeat for more)")
	fs.StringVar(&o.Algorithm, "algorithm", "", "force the wrapping algorithm (default: the strongest both the token and KMS support, RSAES_OAEP_SHA_256 before RSAES_OAEP_SHA_1)")
	fs.StringVar(&o.Spec, "wrapping-key-spec", byok.RSA3072, "KMS wrapping key: RSA_2048, RSA_3072 or RSA_4096")
	fs.BoolVar(&o.KeepKMSKey, "keep-kms-key", false, "keep a KMS key this run created if the run fails (default: its deletion is scheduled, in 7 days)")
	return func(r *byokRun) error {
		var err error
		if err := o.Key.CheckChoice(); err != nil {
			return err
		}
		if o.Expiry, err = ef.resolve(); err != nil {
			return err
		}
		o.Tags, o.OpenToken = tg, r.tokenOpener(&tf)
		o.Key.ConfirmHandle = confirmAsker(r.stderr, "import")
		im, err := byokflow.NewImport(o)
		if err != nil {
			return err
		}
		res, err := im.Run(r.ctx, r.prog)
		if err != nil {
			return confirmHint(err, "confirm it with --hsm-label or --hsm-id")
		}
		return r.printResult(res, [][2]string{
			{"key_id", res.KeyID}, {"key_arn", res.KeyARN}, {"alias", res.Alias}, {"key_state", res.KeyState},
			{"key_material_id", res.KeyMaterialID}, {"expiration_model", res.ExpirationModel}, {"valid_to", timeString(res.ValidTo)},
			{"wrapping_algorithm", res.WrappingAlgorithm}, {"wrapping_key_spec", res.WrappingKeySpec},
			{"hsm_key", res.HSMKey.String()}, {"hsm_key_uri", res.HSMKey.URI}, {"hsm_kcv", res.HSMKey.KCVString()}, {"proof", res.Proof},
		})
	}
}

// algorithmsHelp lists the algorithms for flag help.
var algorithmsHelp = strings.Join([]string{byok.RSAESOAEPSHA256, byok.RSAESOAEPSHA1}, ", ")
