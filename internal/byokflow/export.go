package byokflow

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// ExportOptions are what trent byok export is asked to do: wrap an HSM
// key for KMS, on a host that may not reach KMS, from import parameters
// in files or (with KeyID alone) from KMS.
type ExportOptions struct {
	KMS       KMSConfig
	OpenToken TokenOpener
	Key       KeyChoice // Generate is not offered
	// ParamsFile is ImportParameters.zip or get-parameters-for-import's
	// JSON; PublicKeyFile and TokenFile are the zip's entries.
	ParamsFile, PublicKeyFile, TokenFile string
	KeyID, Algorithm, Spec               string
	// WrappingKey names a copy of the parameters' public key already in
	// the token (Luna's cmu import) to wrap under, instead of a session
	// copy; ConfirmWrappingKey confirms a bare handle (see KeyChoice).
	WrappingKey        string
	ConfirmWrappingKey func(what string) error
	OutDir             string
}

// ExportResult is what trent byok export reports.
type ExportResult struct {
	Dir string `json:"dir"`
	*Manifest
}

// Export is one run of trent byok export.
type Export struct {
	o       ExportOptions
	s       session
	conn    *Conn
	params  *Params
	key     HSMKey
	choice  algChoice
	wk      *wrappingKey
	wrapped []byte
	res     ExportResult
}

// NewExport checks the options that need neither KMS nor the token.
func NewExport(o ExportOptions) (*Export, error) {
	switch {
	case o.OutDir == "":
		return nil, usagef("--out-dir is required")
	case o.Key.Ref == "":
		return nil, usagef("--hsm-key is required: the AES-256 key to export (label:NAME, id:HEX or pkcs11: URI)")
	case o.ParamsFile != "" && (o.PublicKeyFile != "" || o.TokenFile != ""):
		return nil, usagef("give --params-file or --public-key with --import-token, not both")
	case (o.PublicKeyFile == "") != (o.TokenFile == ""):
		return nil, usagef("--public-key and --import-token go together")
	case o.ParamsFile == "" && o.PublicKeyFile == "" && o.KeyID == "":
		return nil, usagef("give the import parameters (--params-file: ImportParameters.zip or get-parameters-for-import JSON; or --public-key and --import-token), or --key-id to get them from KMS")
	case o.ParamsFile == "" && o.PublicKeyFile == "" && o.WrappingKey != "":
		return nil, usagef("--wrapping-key goes with parameter files; with --key-id trent imports KMS's new wrapping key itself")
	}
	if err := o.Key.CheckChoice(); err != nil {
		return nil, err
	}
	if err := checkOutDir(o.OutDir); err != nil {
		return nil, err
	}
	return &Export{o: o, s: session{open: o.OpenToken}}, nil
}

func (e *Export) fromFiles() bool { return e.o.ParamsFile != "" || e.o.PublicKeyFile != "" }

// Plan is the run's steps.
func (e *Export) Plan() Plan {
	o := &e.o
	open := Step{Title: "open the token", Do: func(context.Context) (string, error) { return e.s.openToken() }}
	find := Step{Title: "find the key in the token", Do: func(context.Context) (string, error) {
		var err error
		e.key, err = e.s.findKey(&o.Key)
		if err == nil && e.key.KeySpec != "" {
			err = fmt.Errorf("the HSM key (%s) is %s key material: trent byok export takes AES-256 keys only for now; use trent byok import, or trent hsm wrap with the parameters' algorithm", e.key, e.key.KeySpec)
		}
		return keyDetail(e.key), err
	}}
	var p Plan
	if e.fromFiles() {
		p = Plan{{Title: "read the import parameters and check the wrapping algorithm", Do: e.readParams}, open, find}
	} else {
		p = Plan{{Title: "reach KMS and check the KMS key", Do: e.checkKMS}, open, find,
			{Title: "choose the wrapping algorithm", Do: func(context.Context) (d string, err error) {
				e.choice, d, err = e.s.chooseAlgorithm(o.Algorithm, o.Spec)
				return d, err
			}},
			{Title: "get the wrapping key and import token from KMS", Do: e.getParameters}}
	}
	if o.WrappingKey != "" {
		p = append(p, Step{Title: "check the wrapping key in the token", Do: e.checkWrappingKey})
	} else {
		p = append(p, Step{Title: "import the wrapping key into the token", Do: func(context.Context) (string, error) {
			var err error
			if e.wk, err = e.s.importWrappingKey(e.params.PublicKey, e.params.KeyARN); err != nil {
				return "", err
			}
			return "session object, wrap=true", nil
		}, Undoes: "destroys the wrapping key object", Undo: func(context.Context) string { return e.s.undoWrappingKey(e.wk) }})
	}
	p = append(p, Step{Title: "wrap the key in the HSM", Do: func(context.Context) (d string, err error) {
		d, e.wrapped, err = e.s.wrap(e.key, e.wk, e.params)
		return d, err
	}})
	if o.WrappingKey == "" {
		p = append(p, Step{Title: "destroy the wrapping key in the token", Do: func(context.Context) (string, error) { return "", e.s.destroy(e.wk) }})
	}
	return append(p, Step{Title: "write the files", Do: e.write})
}

// Run runs the plan and returns the result.
func (e *Export) Run(ctx context.Context, obs Observer) (ExportResult, error) {
	e.s.obs = obs
	defer e.s.close()
	err := e.Plan().Run(ctx, obs)
	return e.res, err
}

func (e *Export) readParams(context.Context) (string, error) {
	o := &e.o
	var err error
	if o.ParamsFile != "" {
		e.params, err = ReadParams(o.ParamsFile)
	} else {
		e.params, err = ReadConsoleFiles(o.PublicKeyFile, o.TokenFile, o.KeyID)
	}
	if err != nil {
		return "", err
	}
	p := e.params
	if p.KeyARN == "" && o.KeyID == "" {
		return "", usagef("give --key-id: the KMS key the parameters are for (%s does not say)", p.Source)
	}
	if p.KeyARN == "" {
		p.KeyARN = o.KeyID
	}
	if o.KeyID != "" && p.KeyARN != o.KeyID && ShortKeyID(p.KeyARN) != ShortKeyID(o.KeyID) {
		return "", fmt.Errorf("the parameters are for KMS key %s, not %s", p.KeyARN, o.KeyID)
	}
	if err := p.Check(o.Algorithm); err != nil {
		return "", err
	}
	if err := checkNotExpired(p.ValidTo, time.Now(), "get new ones (trent byok params, or aws kms get-parameters-for-import)"); err != nil {
		return "", err
	}
	return fmt.Sprintf("KMS key %s, %s with an %s wrapping key, valid until %s", p.KeyARN, p.Algorithm, p.Spec, p.ValidToString()), nil
}

func (e *Export) checkKMS(ctx context.Context) (string, error) {
	conn, err := Connect(ctx, e.o.KMS)
	if err != nil {
		return "", err
	}
	md, err := conn.DescribeKey(ctx, e.o.KeyID)
	if err != nil {
		return "", err
	}
	if err := checkImportable(md, types.KeyStatePendingImport, types.KeyStateEnabled, types.KeyStateDisabled); err != nil {
		return "", err
	}
	e.params = &Params{KeyARN: aws.ToString(md.Arn)}
	e.conn = conn
	return fmt.Sprintf("%s at %s is %s", e.params.KeyARN, conn.Where, md.KeyState), nil
}

// getParameters asks KMS for a wrapping key and import token (see
// fetchParameters).
func (e *Export) getParameters(ctx context.Context) (string, error) {
	p, _, err := fetchParameters(ctx, e.conn, &e.s, e.params.KeyARN, e.choice, e.o.Spec)
	if err != nil {
		return "", err
	}
	e.params = p
	return fmt.Sprintf("%s %s public key, import token valid until %s", p.Spec, p.Algorithm, p.ValidToString()), nil
}

// checkWrappingKey checks that the object the user named is the
// parameters' public key.
func (e *Export) checkWrappingKey(context.Context) (string, error) {
	obj, err := e.s.pick(e.o.WrappingKey, "public-key", "", nil, e.o.ConfirmWrappingKey)
	if err != nil {
		return "", err
	}
	a, err := e.s.tok.Attributes(obj.Handle)
	if err != nil {
		return "", err
	}
	pub, err := pkcs11.ParsePublicKey(e.params.PublicKey)
	if err != nil {
		return "", err
	}
	if !bytes.Equal(a.Modulus, pub.N.Bytes()) {
		return "", fmt.Errorf("the public key object (%s) is not the wrapping key of these import parameters (its modulus differs): import theirs with trent hsm import-pubkey, or leave out --wrapping-key", obj.Describe())
	}
	e.wk = &wrappingKey{h: obj.Handle}
	return fmt.Sprintf("%s is the parameters' %s wrapping key", obj.Describe(), e.params.Spec), nil
}

func (e *Export) write(context.Context) (string, error) {
	p := e.params
	m := &Manifest{KeyID: p.KeyARN, WrappingAlgorithm: p.Algorithm, WrappingKeySpec: p.Spec,
		ParametersValidTo: p.ValidTo, HSMKey: e.key, ExportedAt: time.Now().UTC().Truncate(time.Second)}
	if err := WriteExport(e.o.OutDir, m, e.wrapped, p.Token); err != nil {
		return "", err
	}
	e.res = ExportResult{Dir: e.o.OutDir, Manifest: m}
	return filepath.Join(e.o.OutDir, "{"+WrappedKeyFile+","+ImportTokenFile+","+ManifestFile+"}"), nil
}
