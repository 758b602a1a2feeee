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
	if err := h.cfg.KMS.CheckGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	res, err := h.cfg.KMS.Encrypt(ctx, in.KeyId, in.Plaintext, in.EncryptionContext,
		kms.CryptoOptions{Algorithm: in.EncryptionAlgorithm, DryRun: dryRun(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return &wire.EncryptResponse{
		CiphertextBlob:      res.Blob,
		KeyId:               res.KeyARN,
		EncryptionAlgorithm: kms.AlgSymmetricDefault,
	}, nil
}

func (h *Handler) decrypt(ctx context.Context, in *wire.DecryptRequest) (any, error) {
	if err := h.cfg.KMS.CheckGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
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
		EncryptionAlgorithm: kms.AlgSymmetricDefault,
		KeyMaterialId:       res.MaterialID,
	}, res.Plaintext}, nil
}

func (h *Handler) reEncrypt(ctx context.Context, in *wire.ReEncryptRequest) (any, error) {
	if err := h.cfg.KMS.CheckGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
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
		SourceEncryptionAlgorithm:      kms.AlgSymmetricDefault,
		DestinationEncryptionAlgorithm: kms.AlgSymmetricDefault,
		SourceKeyMaterialId:            src.MaterialID,
		DestinationKeyMaterialId:       dst.MaterialID,
	}, nil
}

// dataKeySize applies GenerateDataKey's rule: exactly one of KeySpec and
// NumberOfBytes.
func dataKeySize(spec string, n *int32) (int, error) {
	switch {
	case spec != "" && n != nil:
		return 0, validation("Please specify either number of bytes or key spec.")
	case spec == "AES_256":
		return 32, nil
	case spec == "AES_128":
		return 16, nil
	case n != nil:
		return int(*n), nil
	default:
		return 0, validation("Please specify either number of bytes or key spec.")
	}
}

func (h *Handler) generateDataKey(ctx context.Context, in *wire.GenerateDataKeyRequest) (any, error) {
	if err := h.cfg.KMS.CheckGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	if in.Recipient != nil {
		return nil, errRecipient
	}
	n, err := dataKeySize(in.KeySpec, in.NumberOfBytes)
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
	if err := h.cfg.KMS.CheckGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	n, err := dataKeySize(in.KeySpec, in.NumberOfBytes)
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
		return nil, &kms.Error{Kind: kms.ErrCustomKeyStoreAbsent, Message: "Custom key store '" + in.CustomKeyStoreId + "' does not exist"}
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
