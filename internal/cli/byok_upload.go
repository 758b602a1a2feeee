package cli

import (
	"flag"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// uploadResult is what trent byok upload prints.
type uploadResult struct {
	KeyID             string     `json:"key_id"`
	KeyARN            string     `json:"key_arn"`
	KeyState          string     `json:"key_state"`
	KeyMaterialID     string     `json:"key_material_id"`
	Reimport          bool       `json:"reimport"`
	ExpirationModel   string     `json:"expiration_model"`
	ValidTo           *time.Time `json:"valid_to,omitempty"`
	WrappingAlgorithm string     `json:"wrapping_algorithm"`
	HSMKey            hsmKey     `json:"hsm_key"`
	Verified          string     `json:"verified"`
}

func byokUploadFlags(fs *flag.FlagSet) func(*byokRun) error {
	var kf kmsFlags
	var ef expiryFlags
	kf.define(fs)
	ef.define(fs)
	dir := fs.String("dir", "", "the directory trent byok export wrote (required)")
	return func(r *byokRun) error {
		if *dir == "" {
			return usagef("--dir is required: the directory trent byok export wrote")
		}
		exp, err := ef.resolve(time.Now())
		if err != nil {
			return err
		}
		return r.runUpload(&kf, exp, *dir)
	}
}

func (r *byokRun) runUpload(kf *kmsFlags, exp expiration, dir string) error {
	r.prog.total = 4
	var (
		m              *manifest
		wrapped, token []byte
		conn           *kmsConn
		md             *types.KeyMetadata
		res            uploadResult
	)
	if err := r.step("read the export", func() (d string, err error) {
		if m, wrapped, token, err = readExport(dir); err != nil {
			return "", err
		}
		if err := checkNotExpired(m.ParametersValidTo, time.Now(), "run trent byok export again with new parameters"); err != nil {
			return "", err
		}
		valid := "(not known)"
		if m.ParametersValidTo != nil {
			valid = m.ParametersValidTo.UTC().Format(time.RFC3339)
		}
		return fmt.Sprintf("KMS key %s, %s, import token valid until %s, HSM key %s", m.KeyID, m.WrappingAlgorithm, valid, m.HSMKey), nil
	}); err != nil {
		return err
	}
	if err := r.step("check the KMS key", func() (string, error) {
		var err error
		if conn, err = kf.connect(r.ctx); err != nil {
			return "", err
		}
		if md, err = conn.describeKey(r.ctx, m.KeyID); err != nil {
			return "", err
		}
		if err := checkImportable(md, types.KeyStatePendingImport, types.KeyStateEnabled, types.KeyStateDisabled); err != nil {
			return "", err
		}
		if md.KeyState != types.KeyStatePendingImport {
			res.Reimport = true
			return fmt.Sprintf("%s is %s: it holds key material already, so KMS accepts only the same material again", aws.ToString(md.Arn), md.KeyState), nil
		}
		return fmt.Sprintf("%s at %s is PendingImport", aws.ToString(md.Arn), conn.where), nil
	}); err != nil {
		return err
	}
	arn := aws.ToString(md.Arn)
	if err := r.step("import the key material into KMS", func() (d string, err error) {
		current := ""
		if res.Reimport {
			current = aws.ToString(md.CurrentKeyMaterialId)
		}
		res.KeyMaterialID, err = conn.importMaterial(r.ctx, arn, token, wrapped, exp, current)
		if err != nil {
			return "", err
		}
		return "KeyMaterialId " + res.KeyMaterialID, nil
	}); err != nil {
		return err
	}
	want := types.KeyStateEnabled
	if md.KeyState == types.KeyStateDisabled {
		want = types.KeyStateDisabled // a disabled key stays disabled
	}
	if err := r.step("check that the KMS key is "+string(want), func() (d string, err error) {
		return conn.checkEnabled(r.ctx, arn, res.KeyMaterialID, exp, want)
	}); err != nil {
		return err
	}
	res.KeyState = string(want)
	res.KeyID, res.KeyARN, res.ExpirationModel, res.ValidTo = shortKeyID(arn), arn, string(exp.model), exp.validTo
	res.WrappingAlgorithm, res.HSMKey = m.WrappingAlgorithm, m.HSMKey
	res.Verified = "key state and current key material; proving that KMS holds the HSM's key needs the HSM: export and upload once more (KMS accepts a second import only of the same material)"
	if res.Reimport {
		res.Verified = "KMS accepted this as the same key material the key already held"
	}
	validTo := ""
	if exp.validTo != nil {
		validTo = exp.validTo.Format(time.RFC3339)
	}
	return r.printResult(res, [][2]string{
		{"key_id", res.KeyID}, {"key_arn", arn}, {"key_state", res.KeyState}, {"key_material_id", res.KeyMaterialID},
		{"reimport", fmt.Sprint(res.Reimport)}, {"expiration_model", res.ExpirationModel}, {"valid_to", validTo},
		{"wrapping_algorithm", res.WrappingAlgorithm}, {"hsm_key", m.HSMKey.String()}, {"kcv", kcvString(m.HSMKey)},
		{"verified", res.Verified},
	})
}
