package api

import (
	"context"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/wire"
)

// The operations of asymmetric and HMAC keys. What each key allows is read
// from the core's key-type table; the handlers only translate.

func (h *Handler) getPublicKey(ctx context.Context, in *wire.GetPublicKeyRequest) (any, error) {
	res, err := h.cfg.KMS.GetPublicKey(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	k := res.Key
	algs := kms.AlgorithmsOf(k.KeySpec, k.KeyUsage)
	return &wire.GetPublicKeyResponse{
		KeyId:                  res.KeyARN,
		PublicKey:              res.PublicKey,
		CustomerMasterKeySpec:  k.KeySpec,
		KeySpec:                k.KeySpec,
		KeyUsage:               k.KeyUsage,
		EncryptionAlgorithms:   algs.Encryption,
		SigningAlgorithms:      algs.Signing,
		KeyAgreementAlgorithms: algs.KeyAgreement,
	}, nil
}

func (h *Handler) sign(ctx context.Context, in *wire.SignRequest) (any, error) {
	res, err := h.cfg.KMS.Sign(ctx, in.KeyId, kms.SignInput{
		Message: in.Message, MessageType: in.MessageType, Algorithm: in.SigningAlgorithm, DryRun: dryRun(in.DryRun),
	})
	if err != nil {
		return nil, err
	}
	return &wire.SignResponse{KeyId: res.KeyARN, Signature: res.Signature, SigningAlgorithm: res.Algorithm}, nil
}

func (h *Handler) verify(ctx context.Context, in *wire.VerifyRequest) (any, error) {
	res, err := h.cfg.KMS.Verify(ctx, in.KeyId, kms.SignInput{
		Message: in.Message, MessageType: in.MessageType, Algorithm: in.SigningAlgorithm, DryRun: dryRun(in.DryRun),
	}, in.Signature)
	if err != nil {
		return nil, err
	}
	return &wire.VerifyResponse{KeyId: res.KeyARN, SignatureValid: wire.Ptr(true), SigningAlgorithm: res.Algorithm}, nil
}

func (h *Handler) generateMac(ctx context.Context, in *wire.GenerateMacRequest) (any, error) {
	res, err := h.cfg.KMS.GenerateMac(ctx, in.KeyId, kms.MacInput{
		Message: in.Message, Algorithm: in.MacAlgorithm, DryRun: dryRun(in.DryRun),
	})
	if err != nil {
		return nil, err
	}
	return &wire.GenerateMacResponse{KeyId: res.KeyARN, Mac: res.Mac, MacAlgorithm: res.Algorithm}, nil
}

func (h *Handler) verifyMac(ctx context.Context, in *wire.VerifyMacRequest) (any, error) {
	res, err := h.cfg.KMS.VerifyMac(ctx, in.KeyId, kms.MacInput{
		Message: in.Message, Algorithm: in.MacAlgorithm, DryRun: dryRun(in.DryRun),
	}, in.Mac)
	if err != nil {
		return nil, err
	}
	return &wire.VerifyMacResponse{KeyId: res.KeyARN, MacValid: wire.Ptr(true), MacAlgorithm: res.Algorithm}, nil
}

func (h *Handler) generateDataKeyPair(ctx context.Context, in *wire.GenerateDataKeyPairRequest) (any, error) {
	if in.Recipient != nil {
		return nil, errRecipient
	}
	res, err := h.cfg.KMS.GenerateDataKeyPair(ctx, in.KeyId, in.KeyPairSpec, in.EncryptionContext, true,
		kms.CryptoOptions{DryRun: dryRun(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return secret{&wire.GenerateDataKeyPairResponse{
		PrivateKeyCiphertextBlob: res.Blob,
		PrivateKeyPlaintext:      res.PrivateKey,
		PublicKey:                res.PublicKey,
		KeyId:                    res.KeyARN,
		KeyPairSpec:              in.KeyPairSpec,
		KeyMaterialId:            res.MaterialID,
	}, res.PrivateKey}, nil
}

func (h *Handler) generateDataKeyPairWithoutPlaintext(ctx context.Context, in *wire.GenerateDataKeyPairWithoutPlaintextRequest) (any, error) {
	res, err := h.cfg.KMS.GenerateDataKeyPair(ctx, in.KeyId, in.KeyPairSpec, in.EncryptionContext, false,
		kms.CryptoOptions{DryRun: dryRun(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return &wire.GenerateDataKeyPairWithoutPlaintextResponse{
		PrivateKeyCiphertextBlob: res.Blob,
		PublicKey:                res.PublicKey,
		KeyId:                    res.KeyARN,
		KeyPairSpec:              in.KeyPairSpec,
		KeyMaterialId:            res.MaterialID,
	}, nil
}

func (h *Handler) deriveSharedSecret(ctx context.Context, in *wire.DeriveSharedSecretRequest) (any, error) {
	if in.Recipient != nil {
		return nil, errRecipient
	}
	res, err := h.cfg.KMS.DeriveSharedSecret(ctx, in.KeyId, in.KeyAgreementAlgorithm, in.PublicKey, dryRun(in.DryRun))
	if err != nil {
		return nil, err
	}
	return secret{&wire.DeriveSharedSecretResponse{
		KeyId:                 res.KeyARN,
		SharedSecret:          res.Secret,
		KeyAgreementAlgorithm: res.Algorithm,
		KeyOrigin:             res.Origin,
	}, res.Secret}, nil
}
