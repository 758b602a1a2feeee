package cli

import (
	"bytes"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// exportOptions are trent byok export's flags.
type exportOptions struct {
	tf                           tokenFlags
	kf                           kmsFlags
	hf                           hsmKeyFlags
	paramsFile, pubFile, tokFile string
	keyID, alg, spec             string
	wrappingKey, outDir          string
}

func byokExportFlags(fs *flag.FlagSet) func(*byokRun) error {
	o := &exportOptions{}
	o.tf.define(fs)
	o.kf.define(fs)
	o.hf.define(fs, false)
	fs.StringVar(&o.paramsFile, "params-file", "", "the JSON that aws kms get-parameters-for-import printed")
	fs.StringVar(&o.pubFile, "public-key", "", "the console's wrappingKey_<key-id>_<time> file (DER; base64 or PEM also work); with --import-token")
	fs.StringVar(&o.tokFile, "import-token", "", "the console's importToken_<key-id>_<time> file")
	fs.StringVar(&o.keyID, "key-id", "", "the KMS key (key ID or ARN): without parameter files, trent asks KMS for them")
	fs.StringVar(&o.alg, "algorithm", "", "the wrapping algorithm: with parameter files, the one they were requested for (required); otherwise forces one")
	fs.StringVar(&o.spec, "wrapping-key-spec", byok.RSA3072, "KMS wrapping key spec when trent asks KMS for the parameters")
	fs.StringVar(&o.wrappingKey, "wrapping-key", "", "use this RSA public key object already in the token (e.g. imported with Luna's cmu import) instead of importing a session copy; it must be the parameters' wrapping key")
	fs.StringVar(&o.outDir, "out-dir", "", "directory to write wrapped.key, token.bin and import.json to (required)")
	return func(r *byokRun) error { return r.runExport(o) }
}

func (o *exportOptions) mode() (fromFiles bool, err error) {
	switch {
	case o.outDir == "":
		return false, usagef("--out-dir is required")
	case o.hf.sel == "":
		return false, usagef("--hsm-key is required: the AES-256 key to export (handle, label:NAME, id:HEX or pkcs11: URI)")
	case o.paramsFile != "" && (o.pubFile != "" || o.tokFile != ""):
		return false, usagef("give --params-file or --public-key with --import-token, not both")
	case (o.pubFile == "") != (o.tokFile == ""):
		return false, usagef("--public-key and --import-token go together")
	case o.paramsFile != "" || o.pubFile != "":
		if o.alg == "" {
			return false, usagef("give --algorithm: the --wrapping-algorithm the parameters were requested with (KMS's answer does not say), e.g. RSAES_OAEP_SHA_256")
		}
		if !slices.Contains(pkcs11.Algorithms, o.alg) {
			return false, usagef("--algorithm %q: use one of %s", o.alg, strings.Join(pkcs11.Algorithms, ", "))
		}
		return true, nil
	case o.keyID == "":
		return false, usagef("give the import parameters (--params-file, or --public-key and --import-token), or --key-id to get them from KMS")
	case o.wrappingKey != "":
		return false, usagef("--wrapping-key goes with parameter files; with --key-id trent imports KMS's new wrapping key itself")
	}
	return false, nil
}

func (r *byokRun) runExport(o *exportOptions) error {
	fromFiles, err := o.mode()
	if err != nil {
		return err
	}
	switch {
	case !fromFiles:
		r.prog.total = 8 // open, find, choose, get, import, wrap, destroy, write
	case o.wrappingKey == "":
		r.prog.total = 7 // read, open, find, import, wrap, destroy, write
	default:
		r.prog.total = 6 // read, open, find, check, wrap, write
	}
	var (
		params *importParams
		tok    *pkcs11.Token
		key    hsmKey
	)
	if fromFiles {
		if err := r.step("read the import parameters", func() (string, error) {
			var err error
			if o.paramsFile != "" {
				params, err = readParamsFile(o.paramsFile)
			} else {
				params, err = readConsoleFiles(o.pubFile, o.tokFile, o.keyID)
			}
			if err != nil {
				return "", err
			}
			if o.keyID != "" && params.keyARN != o.keyID && shortKeyID(params.keyARN) != shortKeyID(o.keyID) {
				return "", fmt.Errorf("the parameters are for KMS key %s, not %s", params.keyARN, o.keyID)
			}
			if params.spec, err = specOf(params.publicKey); err != nil {
				return "", err
			}
			params.alg = o.alg
			if err := checkNotExpired(params.validTo, time.Now(), "get new ones with aws kms get-parameters-for-import"); err != nil {
				return "", err
			}
			return fmt.Sprintf("KMS key %s, %s wrapping key, valid until %s", params.keyARN, params.spec, params.validToString()), nil
		}); err != nil {
			return err
		}
	}
	if err := r.step("open the token", func() (d string, err error) {
		if tok, err = r.openToken(&o.tf); err != nil {
			return "", err
		}
		return tokenDetail(tok), nil
	}); err != nil {
		return err
	}
	if err := r.step("find the key in the token", func() (d string, err error) {
		if key, err = r.findHSMKey(tok, &o.hf, new(bool)); err != nil {
			return "", err
		}
		return keyDetail(key), nil
	}); err != nil {
		return err
	}
	if !fromFiles {
		var choice algChoice
		if err := r.step("choose the wrapping algorithm", func() (d string, err error) {
			choice, d, err = r.chooseAlgorithm(tok, o.alg, o.spec)
			return d, err
		}); err != nil {
			return err
		}
		if err := r.step("get the wrapping key and import token from KMS", func() (string, error) {
			conn, err := o.kf.connect(r.ctx)
			if err != nil {
				return "", err
			}
			md, err := conn.describeKey(r.ctx, o.keyID)
			if err != nil {
				return "", err
			}
			if err := checkImportable(md, types.KeyStatePendingImport, types.KeyStateEnabled, types.KeyStateDisabled); err != nil {
				return "", err
			}
			if params, err = r.getParameters(conn, aws.ToString(md.Arn), choice, o.spec); err != nil {
				return "", err
			}
			return fmt.Sprintf("KMS key %s (%s), %s wrapping key, valid until %s", params.keyARN, md.KeyState, params.spec, params.validToString()), nil
		}); err != nil {
			return err
		}
	}
	wrapped, err := r.exportWrap(tok, key, params, o.wrappingKey)
	if err != nil {
		return err
	}
	m := &manifest{KeyID: params.keyARN, WrappingAlgorithm: params.alg, WrappingKeySpec: params.spec,
		ParametersValidTo: params.validTo, HSMKey: key, ExportedAt: time.Now().UTC().Truncate(time.Second)}
	if err := r.step("write the files", func() (string, error) {
		if err := writeExport(o.outDir, m, wrapped, params.token); err != nil {
			return "", err
		}
		return filepath.Join(o.outDir, "{"+wrappedKeyFile+","+importTokenFile+","+manifestFile+"}"), nil
	}); err != nil {
		return err
	}
	validTo := ""
	if m.ParametersValidTo != nil {
		validTo = m.ParametersValidTo.Format(time.RFC3339)
	}
	return r.printResult(struct {
		Dir string `json:"dir"`
		*manifest
	}{o.outDir, m}, [][2]string{
		{"dir", o.outDir}, {"key_id", m.KeyID}, {"wrapping_algorithm", m.WrappingAlgorithm},
		{"wrapping_key_spec", m.WrappingKeySpec}, {"parameters_valid_to", validTo},
		{"hsm_key", key.String()}, {"kcv", kcvString(key)},
		{"next", "trent byok upload --dir " + o.outDir + " (before the import token expires)"},
	})
}

// exportWrap wraps the key under the parameters' wrapping key: a session
// copy imported for the purpose and destroyed after, or an object the
// user already has in the token, checked to be the same public key.
func (r *byokRun) exportWrap(tok *pkcs11.Token, key hsmKey, params *importParams, existing string) ([]byte, error) {
	var wh pkcs11.Handle
	destroy := func() error { return nil }
	if existing != "" {
		if err := r.step("check the wrapping key in the token", func() (string, error) {
			h, err := resolveObject(tok, "wrapping-key", existing, "public-key")
			if err != nil {
				return "", err
			}
			a, err := tok.Attributes(h)
			if err != nil {
				return "", err
			}
			pub, err := pkcs11.ParsePublicKey(params.publicKey)
			if err != nil {
				return "", err
			}
			if !bytes.Equal(a.Modulus, pub.N.Bytes()) {
				return "", fmt.Errorf("the public key object (handle %d) is not the wrapping key of these import parameters (its modulus differs): import theirs with trent hsm import-pubkey, or leave out --wrapping-key", h)
			}
			wh = h
			return fmt.Sprintf("handle %d is the parameters' %s wrapping key", h, params.spec), nil
		}); err != nil {
			return nil, err
		}
	} else if err := r.step("import the wrapping key into the token", func() (d string, err error) {
		if wh, destroy, err = r.importWrappingKey(tok, params.publicKey, params.keyARN); err != nil {
			return "", err
		}
		return fmt.Sprintf("session object, handle %d, wrap=true", wh), nil
	}); err != nil {
		return nil, err
	}
	var wrapped []byte
	if err := r.step("wrap the key in the HSM with "+params.alg, func() (d string, err error) {
		if wrapped, err = tok.Wrap(key.Handle, wh, params.alg); err != nil {
			return "", err
		}
		return fmt.Sprintf("%d bytes", len(wrapped)), nil
	}); err != nil {
		return nil, err
	}
	if existing == "" {
		if err := r.step("destroy the wrapping key in the token", func() (string, error) { return "", destroy() }); err != nil {
			return nil, err
		}
	}
	return wrapped, nil
}
