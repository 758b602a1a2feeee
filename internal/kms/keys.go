package kms

import (
	"context"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/keycrypto"
	"github.com/trent-kms/trent/internal/store"
)

// CreateKeyInput holds CreateKey's parameters after wire validation.
type CreateKeyInput struct {
	Description string
	KeySpec     string // default SYMMETRIC_DEFAULT
	KeyUsage    string // default ENCRYPT_DECRYPT
	Origin      string // default AWS_KMS
	Tags        []store.Tag
	MultiRegion bool
	Policy      string // the default key policy when empty
	// CustomKeyStoreID and XksKeyID place the key in an external key
	// store (Origin EXTERNAL_KEY_STORE; xks_keys.go).
	CustomKeyStoreID string
	XksKeyID         string
	// BypassPolicyLockoutSafetyCheck skips the check that the caller can
	// still change the policy.
	BypassPolicyLockoutSafetyCheck bool
}

// CreateKey creates a customer managed key. A key of origin AWS_KMS gets
// fresh material of its spec and starts Enabled; one of origin EXTERNAL has no
// material and starts PendingImport.
func (s *Service) CreateKey(ctx context.Context, in CreateKeyInput) (*store.Key, error) {
	if err := checkKeySpec(&in); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags, nil); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, authReq{action: "CreateKey", extra: map[string]string{
		"kms:KeySpec": in.KeySpec, "kms:KeyUsage": in.KeyUsage, "kms:KeyOrigin": in.Origin,
	}}); err != nil {
		return nil, err
	}
	if in.Policy == "" {
		in.Policy = s.defaultPolicy()
	} else if err := s.checkKeyPolicy(ctx, in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
		return nil, err
	}
	k := &store.Key{
		ID:          uuid.New().String(),
		CreatedAt:   s.now(),
		Description: in.Description,
		KeySpec:     in.KeySpec,
		KeyUsage:    in.KeyUsage,
		Origin:      in.Origin,
		State:       StateEnabled,
		Policy:      in.Policy,
		Tags:        in.Tags,
	}
	if in.CustomKeyStoreID != "" {
		if err := s.checkXKSCreate(ctx, in, k); err != nil {
			return nil, err
		}
	}
	if in.Origin == OriginExternal {
		k.State = StatePendingImport
	} else {
		material, err := s.generateMaterial(in.KeySpec)
		if err != nil {
			return nil, err
		}
		defer clear(material)
		m, err := s.newMaterial(k.ID, material, MaterialCurrent)
		if err != nil {
			return nil, err
		}
		// The public key is kept beside the sealed private key, as for
		// imported material: Verify, Encrypt and GetPublicKey then neither
		// unseal nor parse the private key.
		if asymmetric(k) {
			if m.PublicKey, err = keycrypto.PublicKey(k.KeySpec, material); err != nil {
				return nil, err
			}
		}
		k.Materials = []store.Material{m}
	}
	if err := s.cfg.Store.CreateKey(ctx, k); err != nil {
		return nil, s.createdKeyError(k, err)
	}
	traceKeyARN(ctx, s.KeyARN(k.ID))
	s.cache.putKey(k, s.now())
	return k, nil
}

// checkKeySpec fills in CreateKey's defaults and applies the key-type
// table: the usage must be one the spec allows, and required where the
// spec has no default.
func checkKeySpec(in *CreateKeyInput) error {
	if in.KeySpec == "" {
		in.KeySpec = SpecSymmetricDefault
	}
	if in.Origin == "" {
		in.Origin = OriginAWSKMS
	}
	kt := KeyTypeOf(in.KeySpec)
	if kt == nil {
		return newError(ErrValidation, "KeySpec %s is not valid", in.KeySpec)
	}
	if in.KeyUsage == "" {
		if kt.DefaultUsage == "" {
			return newError(ErrValidation, "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
		}
		in.KeyUsage = kt.DefaultUsage
	}
	if _, ok := kt.Usages[in.KeyUsage]; !ok {
		return newError(ErrValidation, "KeyUsage %s is not compatible with KeySpec %s", in.KeyUsage, in.KeySpec)
	}
	if in.KeySpec == "SM2" {
		return newError(ErrUnsupported, "KeySpec SM2 is not supported in this Region") // as AWS outside China
	}
	if !kt.Served {
		return newError(ErrUnsupported, "KeySpec %s is not supported by this server yet", in.KeySpec)
	}
	switch in.Origin {
	case OriginAWSKMS:
	case OriginExternal:
		if !importableSpec(in.KeySpec) {
			// AWS does not import ML-DSA material (import.md §1).
			return newError(ErrUnsupported, "KeySpec %s is not supported for Origin EXTERNAL", in.KeySpec)
		}
	case OriginExternalKeyStore, OriginCloudHSM:
	default:
		return newError(ErrUnsupported, "Origin %s is not supported", in.Origin)
	}
	if in.MultiRegion {
		return newError(ErrUnsupported, "Multi-Region keys are not supported by this server")
	}
	return checkCustomKeyStoreOrigin(in)
}

// defaultPolicy is the key policy AWS attaches when CreateKey has none:
// it lets the account's IAM policies govern access to the key.
func (s *Service) defaultPolicy() string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + s.cfg.AccountID + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

// DescribeKey returns the key that ref names (key ID, key ARN, alias name or
// alias ARN).
func (s *Service) DescribeKey(ctx context.Context, ref string) (*store.Key, error) {
	return s.resolveFor(ctx, ref, aliasAllow, authReq{action: "DescribeKey"})
}

// ListKeys returns a page of keys in key ID order and the marker of the next
// page ("" on the last page).
func (s *Service) ListKeys(ctx context.Context, marker string, limit int) ([]*store.Key, string, error) {
	if err := s.authorize(ctx, authReq{action: "ListKeys"}); err != nil {
		return nil, "", err
	}
	after, err := decodeMarker(markerKeys, marker)
	if err != nil {
		return nil, "", err
	}
	limit = pageLimit(limit, 100)
	keys, err := s.cfg.Store.ListKeys(ctx, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(keys) > limit {
		keys = keys[:limit]
		next = encodeMarker(markerKeys, keys[limit-1].ID)
	}
	return keys, next, nil
}

// EnableKey sets the key's state to Enabled. It is refused while the key is
// pending deletion or pending import.
func (s *Service) EnableKey(ctx context.Context, ref string) error {
	return s.setEnabled(ctx, ref, StateEnabled)
}

// DisableKey sets the key's state to Disabled, with EnableKey's refusals.
func (s *Service) DisableKey(ctx context.Context, ref string) error {
	return s.setEnabled(ctx, ref, StateDisabled)
}

func (s *Service) setEnabled(ctx context.Context, ref, state string) error {
	action := "EnableKey"
	if state == StateDisabled {
		action = "DisableKey"
	}
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: action})
	if err != nil {
		return err
	}
	_, err = s.updateKey(ctx, k.ID, func(k *store.Key) error {
		switch state := s.State(k); state {
		case StatePendingDeletion, StatePendingImport:
			return stateError(s.KeyARN(k.ID), state)
		}
		k.State = state
		return nil
	})
	return err
}

// UpdateKeyDescription replaces the key's description.
func (s *Service) UpdateKeyDescription(ctx context.Context, ref, description string) error {
	return s.mutate(ctx, "UpdateKeyDescription", ref, func(k *store.Key) error {
		k.Description = description
		return nil
	})
}

// mutate resolves ref (a key ID or ARN) and applies fn to the key, unless
// the key is pending deletion: AWS freezes a key's description, tags and
// aliases during its deletion window.
func (s *Service) mutate(ctx context.Context, action, ref string, fn func(*store.Key) error) error {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: action})
	if err != nil {
		return err
	}
	_, err = s.updateKey(ctx, k.ID, func(k *store.Key) error {
		if k.State == StatePendingDeletion {
			return stateError(s.KeyARN(k.ID), k.State)
		}
		return fn(k)
	})
	return err
}
