package api

import (
	"context"
	"time"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/wire"
)

func (h *Handler) getParametersForImport(ctx context.Context, in *wire.GetParametersForImportRequest) (any, error) {
	p, err := h.cfg.KMS.GetParametersForImport(ctx, in.KeyId, in.WrappingAlgorithm, in.WrappingKeySpec)
	if err != nil {
		return nil, err
	}
	return &wire.GetParametersForImportResponse{
		KeyId:             p.KeyARN,
		ImportToken:       p.Token,
		PublicKey:         p.PublicKey,
		ParametersValidTo: wire.NewTimestamp(p.ValidTo),
	}, nil
}

func (h *Handler) importKeyMaterial(ctx context.Context, in *wire.ImportKeyMaterialRequest) (any, error) {
	var validTo *time.Time
	if in.ValidTo != nil {
		t := in.ValidTo.Time
		validTo = &t
	}
	arn, id, err := h.cfg.KMS.ImportKeyMaterial(ctx, in.KeyId, in.ImportToken, in.EncryptedKeyMaterial, kms.ImportOptions{
		ExpirationModel: in.ExpirationModel,
		ValidTo:         validTo,
		ImportType:      in.ImportType,
		Description:     in.KeyMaterialDescription,
		MaterialID:      in.KeyMaterialId,
	})
	if err != nil {
		return nil, err
	}
	return &wire.ImportKeyMaterialResponse{KeyId: arn, KeyMaterialId: id}, nil
}

func (h *Handler) deleteImportedKeyMaterial(ctx context.Context, in *wire.DeleteImportedKeyMaterialRequest) (any, error) {
	arn, id, err := h.cfg.KMS.DeleteImportedKeyMaterial(ctx, in.KeyId, in.KeyMaterialId)
	if err != nil {
		return nil, err
	}
	return &wire.DeleteImportedKeyMaterialResponse{KeyId: arn, KeyMaterialId: id}, nil
}
