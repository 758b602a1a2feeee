package api

import (
	"context"

	"github.com/trent-kms/trent/internal/wire"
)

// The rotation operations: automatic rotation (Enable/DisableKeyRotation,
// GetKeyRotationStatus), RotateKeyOnDemand and ListKeyRotations.

func (h *Handler) enableKeyRotation(ctx context.Context, in *wire.EnableKeyRotationRequest) (any, error) {
	period := 0
	if in.RotationPeriodInDays != nil {
		period = int(*in.RotationPeriodInDays)
	}
	return nil, h.cfg.KMS.EnableKeyRotation(ctx, in.KeyId, period)
}

func (h *Handler) disableKeyRotation(ctx context.Context, in *wire.DisableKeyRotationRequest) (any, error) {
	return nil, h.cfg.KMS.DisableKeyRotation(ctx, in.KeyId)
}

// getKeyRotationStatus answers with RotationPeriodInDays and
// NextRotationDate only while automatic rotation is enabled, as AWS does.
func (h *Handler) getKeyRotationStatus(ctx context.Context, in *wire.GetKeyRotationStatusRequest) (any, error) {
	st, err := h.cfg.KMS.GetKeyRotationStatus(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	out := &wire.GetKeyRotationStatusResponse{KeyId: st.KeyARN, KeyRotationEnabled: wire.Ptr(st.Enabled)}
	if st.Enabled {
		out.RotationPeriodInDays = wire.Ptr(int32(st.Period))
		out.NextRotationDate = wire.NewTimestamp(st.Next)
	}
	return out, nil
}

func (h *Handler) rotateKeyOnDemand(ctx context.Context, in *wire.RotateKeyOnDemandRequest) (any, error) {
	arn, err := h.cfg.KMS.RotateKeyOnDemand(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	return &wire.RotateKeyOnDemandResponse{KeyId: arn}, nil
}

func (h *Handler) listKeyRotations(ctx context.Context, in *wire.ListKeyRotationsRequest) (any, error) {
	entries, next, err := h.cfg.KMS.ListKeyRotations(ctx, in.KeyId, in.IncludeKeyMaterial, in.Marker, limit(in.Limit))
	if err != nil {
		return nil, err
	}
	out := &wire.ListKeyRotationsResponse{Rotations: make([]wire.RotationsListEntry, 0, len(entries))}
	for _, e := range entries {
		r := wire.RotationsListEntry{
			KeyId:                  e.KeyID,
			KeyMaterialId:          e.MaterialID,
			KeyMaterialState:       e.State,
			RotationType:           e.RotationType,
			ImportState:            e.ImportState,
			ExpirationModel:        e.ExpirationModel,
			KeyMaterialDescription: e.Description,
		}
		if !e.RotationDate.IsZero() {
			r.RotationDate = wire.NewTimestamp(e.RotationDate)
		}
		if !e.ValidTo.IsZero() {
			r.ValidTo = wire.NewTimestamp(e.ValidTo)
		}
		out.Rotations = append(out.Rotations, r)
	}
	out.Truncated, out.NextMarker = truncated(next)
	return out, nil
}
