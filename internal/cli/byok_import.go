package cli

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// importResult is what trent byok import prints.
type importResult struct {
	KeyID             string     `json:"key_id"`
	KeyARN            string     `json:"key_arn"`
	Alias             string     `json:"alias,omitempty"`
	Created           bool       `json:"created"`
	KeyState          string     `json:"key_state"`
	KeyMaterialID     string     `json:"key_material_id"`
	ExpirationModel   string     `json:"expiration_model"`
	ValidTo           *time.Time `json:"valid_to,omitempty"`
	WrappingAlgorithm string     `json:"wrapping_algorithm"`
	WrappingKeySpec   string     `json:"wrapping_key_spec"`
	HSMKey            hsmKey     `json:"hsm_key"`
	Proof             string     `json:"proof"`
}

// importOptions are trent byok import's flags.
type importOptions struct {
	tf                 tokenFlags
	kf                 kmsFlags
	hf                 hsmKeyFlags
	ef                 expiryFlags
	keyID, alias, desc string
	tags               tagFlags
	alg, spec          string
	keepKMSKey         bool
}

func byokImportFlags(fs *flag.FlagSet) func(*byokRun) error {
	o := &importOptions{}
	o.tf.define(fs)
	o.kf.define(fs)
	o.hf.define(fs, true)
	o.ef.define(fs)
	fs.StringVar(&o.keyID, "key-id", "", "an existing KMS key of origin EXTERNAL in state PendingImport (key ID, ARN or alias/NAME); default: create one")
	fs.StringVar(&o.alias, "alias", "", "alias of the key to create (alias/NAME)")
	fs.StringVar(&o.desc, "description", "", "description of the key to create")
	fs.Var(&o.tags, "tag", "tag of the key to create, KEY=VALUE (repeat for more)")
	fs.StringVar(&o.alg, "algorithm", "", "force the wrapping algorithm (default: the strongest both the token and KMS support, RSAES_OAEP_SHA_256 before RSAES_OAEP_SHA_1)")
	fs.StringVar(&o.spec, "wrapping-key-spec", byok.RSA3072, "KMS wrapping key: RSA_2048, RSA_3072 or RSA_4096")
	fs.BoolVar(&o.keepKMSKey, "keep-kms-key", false, "keep a KMS key this run created if the run fails (default: its deletion is scheduled, in 7 days)")
	return func(r *byokRun) error { return r.runImport(o) }
}

func (o *importOptions) check() error {
	if err := o.hf.check(); err != nil {
		return err
	}
	if !slices.Contains(byok.Specs, o.spec) {
		return usagef("--wrapping-key-spec %q: use %s", o.spec, strings.Join(byok.Specs, ", "))
	}
	if o.keyID != "" && (o.alias != "" || o.desc != "" || len(o.tags) > 0 || o.keepKMSKey) {
		return usagef("--alias, --description, --tag and --keep-kms-key are for a key this run creates; leave out --key-id")
	}
	if o.alias != "" && !strings.HasPrefix(o.alias, "alias/") {
		o.alias = "alias/" + o.alias
	}
	return nil
}

func (r *byokRun) runImport(o *importOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	exp, err := o.ef.resolve(time.Now())
	if err != nil {
		return err
	}
	create := o.keyID == ""
	r.prog.total = 11
	if create {
		r.prog.total = 12
	}
	var (
		tok      *pkcs11.Token
		conn     *kmsConn
		arn      string
		key      hsmKey
		imported bool
		choice   algChoice
		res      = importResult{Created: create, ExpirationModel: string(exp.model), ValidTo: exp.validTo, WrappingKeySpec: o.spec}
	)
	if err := r.step("open the token", func() (d string, err error) {
		if tok, err = r.openToken(&o.tf); err != nil {
			return "", err
		}
		return tokenDetail(tok), nil
	}); err != nil {
		return err
	}
	if err := r.step("check the KMS key", func() (string, error) {
		var err error
		if conn, err = o.kf.connect(r.ctx); err != nil {
			return "", err
		}
		if !create {
			md, err := conn.describeKey(r.ctx, o.keyID)
			if err != nil {
				return "", err
			}
			if err := checkImportable(md, types.KeyStatePendingImport); err != nil {
				return "", err
			}
			arn = aws.ToString(md.Arn)
			return fmt.Sprintf("%s at %s is PendingImport", arn, conn.where), nil
		}
		if o.alias != "" {
			if err := conn.aliasFree(r.ctx, o.alias); err != nil {
				return "", err
			}
			return fmt.Sprintf("%s; %s is free; the key is created at step 5", conn.where, o.alias), nil
		}
		return conn.where + "; the key is created at step 5", nil
	}); err != nil {
		return err
	}
	if err := r.step("choose the wrapping algorithm", func() (d string, err error) {
		choice, d, err = r.chooseAlgorithm(tok, o.alg, o.spec)
		return d, err
	}); err != nil {
		return err
	}
	title := "find the key in the token"
	if o.hf.generate {
		title = "generate an AES-256 key in the token"
	}
	if err := r.step(title, func() (d string, err error) {
		if key, err = r.findHSMKey(tok, &o.hf, &imported); err != nil {
			return "", err
		}
		return keyDetail(key), nil
	}); err != nil {
		return err
	}
	res.HSMKey = key
	if create {
		if err := r.step("create the KMS key", func() (d string, err error) {
			if arn, err = r.createKey(conn, o); err != nil {
				return "", err
			}
			if o.alias != "" {
				return arn + " as " + o.alias, nil
			}
			return arn, nil
		}); err != nil {
			return err
		}
	}
	res.KeyARN, res.KeyID, res.Alias = arn, shortKeyID(arn), o.alias
	var params *importParams
	if err := r.step("get the wrapping key and import token from KMS", func() (d string, err error) {
		params, err = r.getParameters(conn, arn, choice, o.spec)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %s public key, import token valid until %s", params.spec, params.alg, params.validToString()), nil
	}); err != nil {
		return err
	}
	res.WrappingAlgorithm = params.alg
	var wh pkcs11.Handle
	var destroy func() error
	if err := r.step("import the wrapping key into the token", func() (d string, err error) {
		if wh, destroy, err = r.importWrappingKey(tok, params.publicKey, arn); err != nil {
			return "", err
		}
		return fmt.Sprintf("session object, handle %d, wrap=true", wh), nil
	}); err != nil {
		return err
	}
	var wrapped []byte
	if err := r.step("wrap the key in the HSM with "+params.alg, func() (d string, err error) {
		if wrapped, err = tok.Wrap(key.Handle, wh, params.alg); err != nil {
			return "", err
		}
		return fmt.Sprintf("%d bytes", len(wrapped)), nil
	}); err != nil {
		return err
	}
	if err := r.step("destroy the wrapping key in the token", func() (string, error) {
		return "", destroy()
	}); err != nil {
		return err
	}
	if err := r.step("import the key material into KMS", func() (d string, err error) {
		res.KeyMaterialID, err = conn.importMaterial(r.ctx, arn, params.token, wrapped, exp, "")
		if err != nil {
			return "", err
		}
		imported = true
		return "KeyMaterialId " + res.KeyMaterialID, nil
	}); err != nil {
		return err
	}
	if err := r.step("check that the KMS key is Enabled", func() (d string, err error) {
		res.KeyState = string(types.KeyStateEnabled)
		return conn.checkEnabled(r.ctx, arn, res.KeyMaterialID, exp, types.KeyStateEnabled)
	}); err != nil {
		return err
	}
	if err := r.step("prove that KMS holds the HSM's key", func() (d string, err error) {
		res.Proof, err = r.prove(conn, tok, key, arn, params.alg, o.spec, exp, res.KeyMaterialID)
		return res.Proof, err
	}); err != nil {
		return err
	}
	return r.printImportResult(res)
}

// keyDetail describes the HSM key for a progress line.
func keyDetail(k hsmKey) string {
	s := k.String()
	if k.KCV != nil {
		s += fmt.Sprintf(", kcv %s (%s)", k.KCV, k.KCVMethod)
	}
	return s
}

func (r *byokRun) printImportResult(res importResult) error {
	validTo := ""
	if res.ValidTo != nil {
		validTo = res.ValidTo.Format(time.RFC3339)
	}
	return r.printResult(res, [][2]string{
		{"key_id", res.KeyID}, {"key_arn", res.KeyARN}, {"alias", res.Alias}, {"key_state", res.KeyState},
		{"key_material_id", res.KeyMaterialID}, {"expiration_model", res.ExpirationModel}, {"valid_to", validTo},
		{"wrapping_algorithm", res.WrappingAlgorithm}, {"wrapping_key_spec", res.WrappingKeySpec},
		{"hsm_key", res.HSMKey.String()}, {"kcv", kcvString(res.HSMKey)}, {"proof", res.Proof},
	})
}

func kcvString(k hsmKey) string {
	if k.KCV == nil {
		return ""
	}
	return fmt.Sprintf("%s (%s)", k.KCV, k.KCVMethod)
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
