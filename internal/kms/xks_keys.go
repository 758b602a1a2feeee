package kms

import (
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/store"
)

// checkXKSCreate applies CreateKey's rules for origin EXTERNAL_KEY_STORE
// (and refuses AWS_CLOUDHSM, which needs a store Trent cannot have)
// to new key k: the store exists and is CONNECTED, the external key exists
// and is an enabled AES_256 key for ENCRYPT and DECRYPT (asked of the
// proxy), and no other key of the store uses it. It sets k's store and
// external key.
func (s *Service) checkXKSCreate(ctx context.Context, in CreateKeyInput, k *store.Key) error {
	c, _, err := s.getCustomKeyStore(ctx, in.CustomKeyStoreID)
	if err != nil {
		return err
	}
	if in.Origin == OriginCloudHSM {
		return newError(ErrCustomKeyStoreInvalidState, "Custom key store %s is an external key store, not an AWS_CLOUDHSM key store.", c.ID)
	}
	if c.ConnectionState != ConnConnected {
		return newError(ErrCustomKeyStoreInvalidState, "Custom key store %s is not connected (connection state %s). Connect it and try the request again.", c.ID, c.ConnectionState)
	}
	secret, err := s.proxySecret(c)
	if err != nil {
		return err
	}
	md, err := s.cfg.XKS.GetKeyMetadata(ctx, proxyOf(c, secret), in.XksKeyID, requestMetadata(ctx, s.KeyARN(k.ID), "CreateKey"))
	if err != nil {
		return s.createKeyError(err)
	}
	if !md.Usable() {
		return newError(ErrXksKeyInvalidConfiguration, "The external key %s must be an enabled AES_256 key that supports ENCRYPT and DECRYPT in the external key manager.", in.XksKeyID)
	}
	k.CustomKeyStoreID, k.XksKeyID = c.ID, in.XksKeyID
	return nil
}

// createdKeyError is store.CreateKey's refusal of a key of a custom key
// store as AWS answers it: the store's transaction checks that the store
// still exists and that no other key of it uses the same external key.
func (s *Service) createdKeyError(k *store.Key, err error) error {
	var inUse *store.XksKeyInUseError
	switch {
	case k.CustomKeyStoreID == "":
		return err
	case errors.As(err, &inUse):
		return newError(ErrXksKeyAlreadyInUse, "The external key %s is already associated with KMS key %s in this external key store.", k.XksKeyID, s.KeyARN(inUse.KeyID))
	case errors.Is(err, store.ErrNotFound):
		return customKeyStoreNotFound(k.CustomKeyStoreID)
	}
	return err
}

// checkCustomKeyStoreOrigin applies CreateKey's rules on CustomKeyStoreId,
// XksKeyId and the two custom key store origins.
func checkCustomKeyStoreOrigin(in *CreateKeyInput) error {
	switch in.Origin {
	case OriginExternalKeyStore:
		if in.CustomKeyStoreID == "" {
			return newError(ErrUnsupported, "CustomKeyStoreId is required for Origin EXTERNAL_KEY_STORE.")
		}
		if in.XksKeyID == "" {
			return newError(ErrValidation, "XksKeyId is required for Origin EXTERNAL_KEY_STORE.")
		}
		if in.KeySpec != SpecSymmetricDefault || in.KeyUsage != UsageEncryptDecrypt {
			return newError(ErrUnsupported, "KeySpec %s with KeyUsage %s is not supported for Origin EXTERNAL_KEY_STORE: an external key store holds SYMMETRIC_DEFAULT ENCRYPT_DECRYPT keys only.", in.KeySpec, in.KeyUsage)
		}
		return nil
	case OriginCloudHSM:
		if in.CustomKeyStoreID == "" {
			return newError(ErrUnsupported, "CustomKeyStoreId is required for Origin AWS_CLOUDHSM.")
		}
		return nil // checkXKSCreate answers: Trent has no CloudHSM key store
	}
	if in.CustomKeyStoreID != "" {
		return newError(ErrValidation, "CustomKeyStoreId is valid only for Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE.")
	}
	if in.XksKeyID != "" {
		return newError(ErrValidation, "XksKeyId is valid only for Origin EXTERNAL_KEY_STORE.")
	}
	return nil
}
