package byokflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/byok"
)

// RotateOptions are what trent byok rotate is asked to do.
type RotateOptions struct {
	KMS       KMSConfig
	OpenToken TokenOpener
	Key       KeyChoice
	Expiry    Expiration
	// KeyID is the KMS key to rotate: a SYMMETRIC_DEFAULT key of origin
	// EXTERNAL, Enabled (key ID, ARN or alias/NAME).
	KeyID string
	// Algorithm forces the wrapping algorithm; Spec is the KMS wrapping
	// key spec.
	Algorithm, Spec string
}

// RotateResult is what trent byok rotate reports.
type RotateResult struct {
	KeyID                 string     `json:"key_id"`
	KeyARN                string     `json:"key_arn"`
	PreviousKeyMaterialID string     `json:"previous_key_material_id"`
	KeyMaterialID         string     `json:"key_material_id"`
	ExpirationModel       string     `json:"expiration_model"`
	ValidTo               *time.Time `json:"valid_to,omitempty"`
	WrappingAlgorithm     string     `json:"wrapping_algorithm"`
	WrappingKeySpec       string     `json:"wrapping_key_spec"`
	HSMKey                HSMKey     `json:"hsm_key"`
	Proof                 string     `json:"proof"`
}

// Rotate is one run of trent byok rotate: new key material from the HSM
// is imported into an existing KMS key of origin EXTERNAL and made
// current, and the run proves that the new material encrypts and that a
// ciphertext made before the rotation still decrypts.
type Rotate struct {
	o        RotateOptions
	s        session
	conn     *Conn
	arn      string
	choice   algChoice
	key      HSMKey
	params   *Params
	wk       *wrappingKey
	wrapped  []byte
	probe    probe
	imported bool // the new material reached KMS (pending or current)
	rotated  bool // RotateKeyOnDemand made it current
	res      RotateResult
}

// NewRotate checks the options that need neither KMS nor the token.
func NewRotate(o RotateOptions) (*Rotate, error) {
	if err := o.Key.CheckChoice(); err != nil {
		return nil, err
	}
	if o.KeyID == "" {
		return nil, usagef("say which KMS key to rotate: --key-id (key ID, ARN or alias/NAME)")
	}
	if !slices.Contains(byok.Specs, o.Spec) {
		return nil, usagef("--wrapping-key-spec %q: use %s", o.Spec, strings.Join(byok.Specs, ", "))
	}
	r := &Rotate{o: o, s: session{open: o.OpenToken}}
	r.res = RotateResult{ExpirationModel: string(o.Expiry.Model), ValidTo: o.Expiry.ValidTo, WrappingKeySpec: o.Spec}
	return r, nil
}

// Plan is the run's steps.
func (r *Rotate) Plan() Plan {
	o := &r.o
	keyTitle := "find the new key in the token"
	if o.Key.Generate {
		keyTitle = "generate a new AES-256 key in the token"
	}
	return Plan{
		{Title: "reach KMS and check the KMS key", Do: r.checkKMS},
		{Title: "encrypt a probe with the current key material", Do: r.encryptProbe},
		{Title: "open the token", Do: func(context.Context) (string, error) { return r.s.openToken() }},
		{Title: "choose the wrapping algorithm", Do: func(context.Context) (d string, err error) {
			r.choice, d, err = r.s.chooseAlgorithm(o.Algorithm, o.Spec)
			return d, err
		}},
		{Title: keyTitle, Do: func(context.Context) (string, error) {
			var err error
			r.key, err = r.s.findKey(&o.Key)
			if err == nil && r.key.KeySpec != "" {
				err = fmt.Errorf("the HSM key (%s) is %s key material: KMS rotates imported material of SYMMETRIC_DEFAULT keys only, so trent byok rotate takes an AES-256 key", r.key, r.key.KeySpec)
			}
			r.res.HSMKey = r.key
			return keyDetail(r.key), err
		}, Undoes: generatedUndoes(o.Key.Generate), Undo: func(context.Context) string { return r.s.undoGenerate(&o.Key, r.imported) }},
		{Title: "get the wrapping key and import token from KMS", Do: r.getParameters},
		{Title: "import the wrapping key into the token", Do: func(context.Context) (string, error) {
			var err error
			if r.wk, err = r.s.importWrappingKey(r.params.PublicKey, r.arn); err != nil {
				return "", err
			}
			return "session object, wrap=true", nil
		}, Undoes: "destroys the wrapping key object", Undo: func(context.Context) string { return r.s.undoWrappingKey(r.wk) }},
		{Title: "wrap the key in the HSM", Do: func(context.Context) (d string, err error) {
			d, r.wrapped, err = r.s.wrap(r.key, r.wk, r.params)
			return d, err
		}},
		{Title: "destroy the wrapping key in the token", Do: func(context.Context) (string, error) { return "", r.s.destroy(r.wk) }},
		{Title: "import the key material into KMS as new material (PENDING_ROTATION)", Do: r.importNew,
			Undoes: "unless the rotation happened, deletes the pending key material from the KMS key", Undo: r.undoImport},
		{Title: "rotate the KMS key to the new material (RotateKeyOnDemand)", Do: r.rotate},
		{Title: "prove the new material is current and the old ciphertext still decrypts", Do: func(ctx context.Context) (string, error) {
			var err error
			r.res.Proof, err = r.prove(ctx)
			return r.res.Proof, err
		}},
	}
}

// Run runs the plan and returns the result.
func (r *Rotate) Run(ctx context.Context, obs Observer) (RotateResult, error) {
	r.s.obs = obs
	defer r.s.close()
	if err := r.Plan().Run(ctx, obs); err != nil {
		return r.res, err
	}
	return r.res, nil
}

// getParameters asks KMS for a wrapping key and import token, falling
// back as trent byok import does (fetchParameters).
func (r *Rotate) getParameters(ctx context.Context) (string, error) {
	p, alg, err := fetchParameters(ctx, r.conn, &r.s, r.arn, r.choice, r.o.Spec)
	if err != nil {
		return "", err
	}
	r.params, r.res.WrappingAlgorithm = p, alg
	return fmt.Sprintf("%s %s public key, import token valid until %s", p.Spec, p.Algorithm, p.ValidToString()), nil
}
