package kms

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/store"
)

// Import types and the longest ValidTo AWS accepts.
const (
	ImportNew      = "NEW_KEY_MATERIAL"
	ImportExisting = "EXISTING_KEY_MATERIAL"
	maxValidTo     = 365 * 24 * time.Hour
)

// ImportOptions are ImportKeyMaterial's optional parameters.
type ImportOptions struct {
	ExpirationModel string     // default KEY_MATERIAL_EXPIRES
	ValidTo         *time.Time // required iff the model is KEY_MATERIAL_EXPIRES
	ImportType      string     // default NEW if the key never had material, else EXISTING
	Description     string     // KeyMaterialDescription; kept on reimport if empty
	MaterialID      string     // KeyMaterialId, for EXISTING only
}

// errUnwrap is the one answer for wrapped material that does not unwrap.
var errUnwrap = newError(ErrInvalidCiphertext, "The wrapped key material could not be decrypted with the wrapping key of this import token.")

// ImportKeyMaterial unwraps material wrapped under the public key of an
// import parameter set and associates it with key ref.
//
// The token is single-use: a successful import destroys its parameter set
// (AWS asks for new parameters for every import). A failed unwrap leaves it
// usable, except under RSAES_PKCS1_V1_5, where any failure destroys it so
// that no padding oracle can be queried twice against one wrapping key.
//
// On success a key in PendingImport becomes Enabled; a Disabled key stays
// Disabled, because its owner disabled it on purpose; an Enabled key stays
// Enabled. Reimport accepts only the material already associated with the
// key, byte for byte (for asymmetric keys: the same private key), and may
// change its expiry. NEW_KEY_MATERIAL into a symmetric key that has
// material adds it as PENDING_ROTATION, for RotateKeyOnDemand; asymmetric
// and HMAC keys refuse ImportType (see checkSymmetricOnlyOptions).
func (s *Service) ImportKeyMaterial(ctx context.Context, ref string, token, wrapped []byte, opt ImportOptions) (keyARN, materialID string, err error) {
	k, err := s.importableKey(ctx, ref, authReq{action: "ImportKeyMaterial", extra: importConditionKeys(opt)})
	if err != nil {
		return "", "", err
	}
	if err := checkSymmetricOnlyOptions(k, opt); err != nil {
		return "", "", err
	}
	if err := s.checkExpiration(&opt); err != nil {
		return "", "", err
	}
	params, err := s.checkToken(k, token)
	if err != nil {
		return "", "", err
	}
	unwrapped, err := s.unwrapMaterial(ctx, k, params, wrapped)
	if err != nil {
		return "", "", err
	}
	defer clear(unwrapped)
	material, pub, err := importedForm(k, unwrapped)
	if err != nil {
		return "", "", err
	}
	defer clear(material)
	m, err := s.newMaterial(k.ID, material, MaterialCurrent)
	if err != nil {
		return "", "", err
	}
	m.PublicKey = pub
	m.ImportedAt, m.ExpirationModel, m.Description = s.now(), opt.ExpirationModel, opt.Description
	if opt.ValidTo != nil {
		m.ValidTo = opt.ValidTo.UTC()
	}
	_, err = s.updateKey(ctx, k.ID, func(k *store.Key) error {
		if k.Import == nil || k.Import.ID != params.ID {
			return errTokenSuperseded
		}
		if err := s.associate(k, m, opt); err != nil {
			return err
		}
		k.Import = nil
		if k.State == StatePendingImport && !missingMaterial(k) {
			k.State = StateEnabled
		}
		return nil
	})
	if err != nil {
		return "", "", err
	}
	return s.KeyARN(k.ID), m.ID, nil
}

// checkExpiration applies the ExpirationModel and ValidTo rules.
func (s *Service) checkExpiration(opt *ImportOptions) error {
	if opt.ExpirationModel == "" {
		opt.ExpirationModel = ExpirationExpires
	}
	switch {
	case opt.ExpirationModel == ExpirationExpires && opt.ValidTo == nil:
		return newError(ErrValidation, "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
	case opt.ExpirationModel == ExpirationDoesNotExpire && opt.ValidTo != nil:
		return newError(ErrValidation, "A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE")
	case opt.ValidTo == nil:
		return nil
	case !opt.ValidTo.After(s.now()):
		return newError(ErrValidation, "The validTo date must be in the future")
	case opt.ValidTo.After(s.now().Add(maxValidTo)):
		return newError(ErrValidation, "The validTo date must be no more than 365 days in the future")
	}
	return nil
}

var errTokenSuperseded = newError(ErrInvalidImportToken, "The import token is not the current one for this KMS key: it was superseded by a later GetParametersForImport, or already used.")

// checkToken authenticates token and returns the key's parameter set it
// names.
func (s *Service) checkToken(k *store.Key, token []byte) (*store.ImportParams, error) {
	tok, err := byok.OpenToken(s.tokenSecret, token)
	if err != nil {
		return nil, newError(ErrInvalidImportToken, "The import token is invalid.")
	}
	if uuid.UUID(tok.KeyID).String() != k.ID {
		return nil, newError(ErrInvalidImportToken, "The import token is associated with a different KMS key.")
	}
	if !s.now().Before(tok.Expiry) {
		return nil, newError(ErrExpiredImportToken, "The import token expired at %s. Use GetParametersForImport to get a new import token and public key.", tok.Expiry.Format(time.RFC3339))
	}
	if k.State == StatePendingDeletion {
		return nil, stateError(s.KeyARN(k.ID), k.State)
	}
	if k.Import == nil || k.Import.ID != uuid.UUID(tok.ParamsID).String() {
		return nil, errTokenSuperseded
	}
	return k.Import, nil
}

// unwrapMaterial unseals the parameter set's private key and unwraps.
func (s *Service) unwrapMaterial(ctx context.Context, k *store.Key, params *store.ImportParams, wrapped []byte) ([]byte, error) {
	der, err := s.cfg.RootKey.Unseal(params.SealedPrivateKey, paramsContext(k.ID, params.ID))
	if err != nil {
		return nil, err
	}
	defer clear(der)
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("kms: import parameters hold no RSA key")
	}
	material, err := byok.Unwrap(priv, params.WrappingAlgorithm, wrapped, pkcs1Length(k.KeySpec))
	if err == nil {
		return material, nil
	}
	if params.WrappingAlgorithm == byok.RSAESPKCS1v15 {
		_, derr := s.updateKey(ctx, k.ID, func(k *store.Key) error {
			if k.Import != nil && k.Import.ID == params.ID {
				k.Import = nil
			}
			return nil
		})
		if derr != nil {
			return nil, derr
		}
	}
	return nil, errUnwrap
}

// importConditionKeys are the condition keys of an ImportKeyMaterial call.
func importConditionKeys(opt ImportOptions) map[string]string {
	model := opt.ExpirationModel
	if model == "" {
		model = ExpirationExpires
	}
	m := map[string]string{"kms:ExpirationModel": model}
	if opt.ValidTo != nil {
		m["kms:ValidTo"] = strconv.FormatInt(opt.ValidTo.Unix(), 10)
	}
	return m
}
