package kms

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"time"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// paramsLifetime is how long an import parameter set is valid (AWS: 24 h)
// unless Config.ParamsLifetime says otherwise.
const paramsLifetime = 24 * time.Hour

// ImportParameters is GetParametersForImport's answer.
type ImportParameters struct {
	KeyARN    string
	PublicKey []byte // DER SubjectPublicKeyInfo
	Token     []byte
	ValidTo   time.Time
}

// importableKey resolves ref for an import operation: a key ID or ARN of a
// key of origin EXTERNAL.
func (s *Service) importableKey(ctx context.Context, ref string, q authReq) (*store.Key, error) {
	k, err := s.resolveFor(ctx, ref, keyOnly, q)
	if err != nil {
		return nil, err
	}
	if k.Origin != OriginExternal {
		return nil, newError(ErrUnsupported, "%s origin is %s which is not valid for this operation.", s.KeyARN(k.ID), k.Origin)
	}
	return k, nil
}

// GetParametersForImport issues a wrapping public key and an import token
// for key ref. The new set replaces any earlier one for the key, so earlier
// tokens stop working. The private key is stored only sealed under the root
// key and is destroyed once used or expired.
func (s *Service) GetParametersForImport(ctx context.Context, ref, alg, spec string) (ImportParameters, error) {
	k, err := s.importableKey(ctx, ref, authReq{action: "GetParametersForImport",
		extra: map[string]string{"kms:WrappingAlgorithm": alg, "kms:WrappingKeySpec": spec}})
	if err != nil {
		return ImportParameters{}, err
	}
	if k.State == StatePendingDeletion {
		return ImportParameters{}, stateError(s.KeyARN(k.ID), k.State)
	}
	if err := byok.CheckCombination(k.KeySpec, alg, spec, s.cfg.AllowPKCS1v15Wrapping); err != nil {
		return ImportParameters{}, newError(ErrUnsupported, "%s", err.Error())
	}
	priv, err := s.cfg.WrappingKeys.Get(ctx, spec)
	if err != nil {
		return ImportParameters{}, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return ImportParameters{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return ImportParameters{}, err
	}
	defer clear(der)
	tok := byok.Token{KeyID: uuid.MustParse(k.ID), WrappingAlgorithm: alg, WrappingKeySpec: spec}
	if _, err := rand.Read(tok.ParamsID[:]); err != nil {
		return ImportParameters{}, err
	}
	params := &store.ImportParams{
		ID: uuid.UUID(tok.ParamsID).String(), WrappingAlgorithm: alg, WrappingKeySpec: spec,
		ValidTo: s.now().Add(s.cfg.ParamsLifetime).Truncate(time.Second),
	}
	tok.Expiry = params.ValidTo
	if params.SealedPrivateKey, err = s.cfg.RootKey.Seal(der, paramsContext(k.ID, params.ID)); err != nil {
		return ImportParameters{}, err
	}
	token, err := tok.Seal(s.tokenSecret)
	if err != nil {
		return ImportParameters{}, err
	}
	_, err = s.updateKey(ctx, k.ID, func(k *store.Key) error {
		if k.State == StatePendingDeletion {
			return stateError(s.KeyARN(k.ID), k.State)
		}
		k.Import = params
		return nil
	})
	if err != nil {
		return ImportParameters{}, err
	}
	return ImportParameters{KeyARN: s.KeyARN(k.ID), PublicKey: pub, Token: token, ValidTo: params.ValidTo}, nil
}

func paramsContext(keyID, paramsID string) string {
	return rootkey.ImportParamsContext(keyID, paramsID)
}
