package byokflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/byok"
)

// ImportOptions are what trent byok import is asked to do.
type ImportOptions struct {
	KMS       KMSConfig
	OpenToken TokenOpener
	Key       KeyChoice
	Expiry    Expiration
	// KeyID is an existing key of origin EXTERNAL in PendingImport;
	// empty: create one with Alias, Description and Tags.
	KeyID, Alias, Description string
	Tags                      []types.Tag
	// Algorithm forces the wrapping algorithm; Spec is the KMS wrapping
	// key spec.
	Algorithm, Spec string
	// KeepKMSKey keeps a key this run created if the run fails.
	KeepKMSKey bool
}

// ImportResult is what trent byok import reports.
type ImportResult struct {
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
	HSMKey            HSMKey     `json:"hsm_key"`
	Proof             string     `json:"proof"`
}

// Import is one run of trent byok import: from an HSM key to a usable
// KMS key, proved to hold the HSM's key.
type Import struct {
	o        ImportOptions
	s        session
	conn     *Conn
	arn      string
	nk       newKey
	choice   algChoice
	key      HSMKey
	params   *Params
	wk       *wrappingKey
	wrapped  []byte
	imported bool
	res      ImportResult
}

// NewImport checks the options that need neither KMS nor the token.
func NewImport(o ImportOptions) (*Import, error) {
	if err := o.Key.CheckChoice(); err != nil {
		return nil, err
	}
	if !slices.Contains(byok.Specs, o.Spec) {
		return nil, usagef("--wrapping-key-spec %q: use %s", o.Spec, strings.Join(byok.Specs, ", "))
	}
	if o.KeyID != "" && (o.Alias != "" || o.Description != "" || len(o.Tags) > 0 || o.KeepKMSKey) {
		return nil, usagef("--alias, --description, --tag and --keep-kms-key are for a key this run creates; leave out --key-id")
	}
	if o.Alias != "" && !strings.HasPrefix(o.Alias, "alias/") {
		o.Alias = "alias/" + o.Alias
	}
	im := &Import{o: o, s: session{open: o.OpenToken}}
	im.res = ImportResult{Created: o.KeyID == "", ExpirationModel: string(o.Expiry.Model), ValidTo: o.Expiry.ValidTo, WrappingKeySpec: o.Spec}
	return im, nil
}

// Plan is the run's steps.
func (im *Import) Plan() Plan {
	o := &im.o
	keyTitle := "find the key in the token"
	if o.Key.Generate {
		keyTitle = "generate an AES-256 key in the token"
	}
	p := Plan{
		{Title: "reach KMS and check the KMS key", Do: im.checkKMS},
		{Title: "open the token", Do: func(context.Context) (string, error) { return im.s.openToken() }},
		{Title: "choose the wrapping algorithm", Do: func(context.Context) (d string, err error) {
			if spec, h := im.s.peekSpec(&o.Key); spec != "" { // RSA, EC or HMAC (import_asym.go)
				im.choice, d, err = im.s.chooseAlgorithmFor(spec, h, o.Algorithm, o.Spec)
				return d, err
			}
			im.choice, d, err = im.s.chooseAlgorithm(o.Algorithm, o.Spec)
			return d, err
		}},
		{Title: keyTitle, Do: func(context.Context) (string, error) {
			var err error
			im.key, err = im.s.findKey(&o.Key)
			if err == nil && im.key.KeySpec != "" && o.KeyID != "" {
				err = fmt.Errorf("the HSM key (%s) is %s key material: trent byok import creates the KMS key for it (leave out --key-id); --key-id takes a SYMMETRIC_DEFAULT key for an AES-256 HSM key", im.key, im.key.KeySpec)
			}
			im.res.HSMKey = im.key
			return keyDetail(im.key), err
		}, Undoes: generatedUndoes(o.Key.Generate), Undo: func(context.Context) string { return im.s.undoGenerate(&o.Key, im.imported) }},
	}
	if o.KeyID == "" {
		p = append(p, Step{Title: "create the KMS key", Do: im.createKey,
			Undoes: "unless --keep-kms-key, deletes the alias and schedules the key's deletion (7 days)", Undo: im.undoCreate})
	}
	return append(p,
		Step{Title: "get the wrapping key and import token from KMS", Do: im.getParameters},
		Step{Title: "import the wrapping key into the token", Do: func(context.Context) (string, error) {
			var err error
			if im.wk, err = im.s.importWrappingKey(im.params.PublicKey, im.arn); err != nil {
				return "", err
			}
			return "session object, wrap=true", nil
		}, Undoes: "destroys the wrapping key object", Undo: func(context.Context) string { return im.s.undoWrappingKey(im.wk) }},
		Step{Title: "wrap the key in the HSM", Do: func(context.Context) (d string, err error) {
			d, im.wrapped, err = im.s.wrap(im.key, im.wk, im.params)
			return d, err
		}},
		Step{Title: "destroy the wrapping key in the token", Do: func(context.Context) (string, error) { return "", im.s.destroy(im.wk) }},
		Step{Title: "import the key material into KMS", Do: func(ctx context.Context) (string, error) {
			id, err := im.conn.importMaterial(ctx, im.arn, im.params.Token, im.wrapped, o.Expiry, "")
			if err != nil {
				return "", err
			}
			im.imported, im.res.KeyMaterialID = true, id
			return "KeyMaterialId " + id, nil
		}},
		Step{Title: "check that the KMS key is Enabled", Do: func(ctx context.Context) (string, error) {
			im.res.KeyState = string(types.KeyStateEnabled)
			return im.conn.checkState(ctx, im.arn, im.res.KeyMaterialID, o.Expiry, types.KeyStateEnabled)
		}},
		Step{Title: "prove that KMS holds the HSM's key", Do: func(ctx context.Context) (string, error) {
			var err error
			im.res.Proof, err = im.prove(ctx)
			return im.res.Proof, err
		}},
	)
}

func generatedUndoes(generate bool) string {
	if !generate {
		return ""
	}
	return "unless --keep-generated, destroys the generated key if its material did not reach KMS"
}

// Run runs the plan and returns the result.
func (im *Import) Run(ctx context.Context, obs Observer) (ImportResult, error) {
	im.s.obs = obs
	defer im.s.close()
	if err := im.Plan().Run(ctx, obs); err != nil {
		return im.res, err
	}
	return im.res, nil
}

func (im *Import) checkKMS(ctx context.Context) (string, error) {
	var err error
	if im.conn, err = Connect(ctx, im.o.KMS); err != nil {
		return "", err
	}
	if im.o.KeyID != "" {
		md, err := im.conn.DescribeKey(ctx, im.o.KeyID)
		if err != nil {
			return "", err
		}
		if err := checkImportable(md, types.KeyStatePendingImport); err != nil {
			return "", err
		}
		im.arn = aws.ToString(md.Arn)
		im.res.KeyARN, im.res.KeyID = im.arn, ShortKeyID(im.arn)
		return fmt.Sprintf("%s at %s is PendingImport", im.arn, im.conn.Where), nil
	}
	if im.o.Alias != "" {
		if err := im.conn.aliasFree(ctx, im.o.Alias); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s answers; %s is free", im.conn.Where, im.o.Alias), nil
	}
	return im.conn.Where + " answers", nil
}

func (im *Import) createKey(ctx context.Context) (string, error) {
	if im.key.KeySpec != "" {
		im.nk.spec, im.nk.usage = types.KeySpec(im.key.KeySpec), keyUsage(im.key.KeySpec)
	}
	err := im.conn.createKey(ctx, im.o.Description, im.o.Alias, im.o.Tags, &im.nk)
	im.arn = im.nk.arn
	im.res.KeyARN, im.res.KeyID, im.res.Alias = im.arn, ShortKeyID(im.arn), im.o.Alias
	if err != nil || im.o.Alias == "" {
		return im.arn, err
	}
	return im.arn + " as " + im.o.Alias, nil
}

func (im *Import) undoCreate(ctx context.Context) string {
	switch {
	case im.nk.arn == "":
		return ""
	case im.o.KeepKMSKey:
		return fmt.Sprintf("kept KMS key %s (PendingImport), as --keep-kms-key asks: retry with trent byok import --key-id %s", im.nk.arn, ShortKeyID(im.nk.arn))
	}
	return im.conn.deleteKey(ctx, &im.nk)
}

// getParameters asks KMS for a wrapping key and import token (see
// fetchParameters).
func (im *Import) getParameters(ctx context.Context) (string, error) {
	p, alg, err := fetchParameters(ctx, im.conn, &im.s, im.arn, im.choice, im.o.Spec)
	if err != nil {
		return "", err
	}
	im.params, im.res.WrappingAlgorithm = p, alg
	return fmt.Sprintf("%s %s public key, import token valid until %s", p.Spec, p.Algorithm, p.ValidToString()), nil
}

// fetchParameters asks KMS for a wrapping key and import token for key
// arn with the chosen algorithm; if KMS does not support it, the next
// algorithm the token performs is tried (noted on s). It returns the
// parameters and the algorithm they are for.
func fetchParameters(ctx context.Context, conn *Conn, s *session, arn string, choice algChoice, spec string) (*Params, string, error) {
	algs := append([]string{choice.alg}, choice.fallbacks...)
	for i, alg := range algs {
		p, err := conn.GetParameters(ctx, arn, alg, spec)
		if err != nil && apiCode(err) == "UnsupportedOperationException" && i+1 < len(algs) {
			s.note(fmt.Sprintf("KMS does not support %s here (%v); trying %s", alg, err, algs[i+1]))
			continue
		}
		if err != nil {
			return nil, "", err
		}
		p.Source = "KMS's GetParametersForImport answer"
		return p, alg, nil
	}
	return nil, "", fmt.Errorf("no wrapping algorithm to ask KMS for")
}

// keyDetail describes the HSM key for a progress line. The KCV is the
// HSM's own check value; KMS shows none, so the proof step is what shows
// KMS holds the same key.
func keyDetail(k HSMKey) string {
	s := k.String()
	if k.KCV != nil {
		s += fmt.Sprintf(", kcv %s (%s)", k.KCV, k.KCVMethod)
	}
	return s + ", " + k.URI
}
