package api

import (
	"context"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/wire"
)

// Fields AWS defines for enclaves and custom key stores that Trent has no
// use for are refused rather than silently ignored.
var errRecipient = &kms.Error{Kind: kms.ErrUnsupported, Message: "Recipient (Nitro Enclaves attestation) is not supported by this server."}

func dryRun(b *bool) bool { return b != nil && *b }

func (h *Handler) encrypt(ctx context.Context, in *wire.EncryptRequest) (any, error) {
	res, err := h.cfg.KMS.Encrypt(ctx, in.KeyId, in.Plaintext, in.EncryptionContext,
		kms.CryptoOptions{Algorithm: in.EncryptionAlgorithm, DryRun: dryRun(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return &wire.EncryptResponse{
		CiphertextBlob:      res.Blob,
		KeyId:               res.KeyARN,
		EncryptionAlgorithm: res.Algorithm,
	}, nil
}

func (h *Handler) decrypt(ctx context.Context, in *wire.DecryptRequest) (any, error) {
	if in.Recipient != nil {
		return nil, errRecipient
	}
	if len(in.CiphertextBlob) == 0 {
		return nil, validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null")
	}
	res, err := h.cfg.KMS.Decrypt(ctx, in.KeyId, in.CiphertextBlob, in.EncryptionContext,
		kms.CryptoOptions{Algorithm: in.EncryptionAlgorithm, DryRun: dryRun(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return secret{&wire.DecryptResponse{
		KeyId:               res.KeyARN,
		Plaintext:           res.Plaintext,
		EncryptionAlgorithm: res.Algorithm,
		KeyMaterialId:       res.MaterialID,
	}, res.Plaintext}, nil
}

func (h *Handler) reEncrypt(ctx context.Context, in *wire.ReEncryptRequest) (any, error) {
	if len(in.CiphertextBlob) == 0 {
		return nil, validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null")
	}
	src, dst, err := h.cfg.KMS.ReEncrypt(ctx,
		in.SourceKeyId, in.CiphertextBlob, in.SourceEncryptionContext,
		in.DestinationKeyId, in.DestinationEncryptionContext,
		kms.CryptoOptions{Algorithm: in.SourceEncryptionAlgorithm, DryRun: dryRun(in.DryRun)},
		kms.CryptoOptions{Algorithm: in.DestinationEncryptionAlgorithm})
	if err != nil {
		return nil, err
	}
	return &wire.ReEncryptResponse{
		CiphertextBlob:                 dst.Blob,
		SourceKeyId:                    src.KeyARN,
		KeyId:                          dst.KeyARN,
		SourceEncryptionAlgorithm:      src.Algorithm,
		DestinationEncryptionAlgorithm: dst.Algorithm,
		SourceKeyMaterialId:            src.MaterialID,
		DestinationKeyMaterialId:       dst.MaterialID,
	}, nil
}

func (h *Handler) generateDataKey(ctx context.Context, in *wire.GenerateDataKeyRequest) (any, error) {
	if in.Recipient != nil {
		return nil, errRecipient
	}
	n, err := kms.DataKeyBytes(in.KeySpec, in.NumberOfBytes)
	if err != nil {
		return nil, err
	}
	res, err := h.cfg.KMS.GenerateDataKey(ctx, in.KeyId, n, in.EncryptionContext, true, kms.CryptoOptions{DryRun: dryRun(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return secret{&wire.GenerateDataKeyResponse{
		CiphertextBlob: res.Blob,
		Plaintext:      res.Plaintext,
		KeyId:          res.KeyARN,
		KeyMaterialId:  res.MaterialID,
	}, res.Plaintext}, nil
}

func (h *Handler) generateDataKeyWithoutPlaintext(ctx context.Context, in *wire.GenerateDataKeyWithoutPlaintextRequest) (any, error) {
	n, err := kms.DataKeyBytes(in.KeySpec, in.NumberOfBytes)
	if err != nil {
		return nil, err
	}
	res, err := h.cfg.KMS.GenerateDataKey(ctx, in.KeyId, n, in.EncryptionContext, false, kms.CryptoOptions{DryRun: dryRun(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return &wire.GenerateDataKeyWithoutPlaintextResponse{
		CiphertextBlob: res.Blob,
		KeyId:          res.KeyARN,
		KeyMaterialId:  res.MaterialID,
	}, nil
}

func (h *Handler) generateRandom(ctx context.Context, in *wire.GenerateRandomRequest) (any, error) {
	if in.Recipient != nil {
		return nil, errRecipient
	}
	if in.CustomKeyStoreId != "" {
		return nil, h.cfg.KMS.CheckRandomSource(ctx, in.CustomKeyStoreId)
	}
	if in.NumberOfBytes == nil {
		return nil, validation("NumberOfBytes is required.")
	}
	b, err := h.cfg.KMS.GenerateRandom(ctx, int(*in.NumberOfBytes))
	if err != nil {
		return nil, err
	}
	return secret{&wire.GenerateRandomResponse{Plaintext: b}, b}, nil
}
