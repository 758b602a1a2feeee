package api

import (
	"context"

	"github.com/trent-kms/trent/internal/wire"
)

func (h *Handler) createAlias(ctx context.Context, in *wire.CreateAliasRequest) (any, error) {
	return nil, h.cfg.KMS.CreateAlias(ctx, in.AliasName, in.TargetKeyId)
}

func (h *Handler) updateAlias(ctx context.Context, in *wire.UpdateAliasRequest) (any, error) {
	return nil, h.cfg.KMS.UpdateAlias(ctx, in.AliasName, in.TargetKeyId)
}

func (h *Handler) deleteAlias(ctx context.Context, in *wire.DeleteAliasRequest) (any, error) {
	return nil, h.cfg.KMS.DeleteAlias(ctx, in.AliasName)
}

func (h *Handler) listAliases(ctx context.Context, in *wire.ListAliasesRequest) (any, error) {
	aliases, next, err := h.cfg.KMS.ListAliases(ctx, in.KeyId, in.Marker, limit(in.Limit))
	if err != nil {
		return nil, err
	}
	out := &wire.ListAliasesResponse{Aliases: make([]wire.AliasListEntry, 0, len(aliases))}
	for _, a := range aliases {
		out.Aliases = append(out.Aliases, wire.AliasListEntry{
			AliasName:       a.Name,
			AliasArn:        h.cfg.KMS.AliasARN(a.Name),
			TargetKeyId:     a.KeyID,
			CreationDate:    wire.NewTimestamp(a.CreatedAt),
			LastUpdatedDate: wire.NewTimestamp(a.UpdatedAt),
		})
	}
	out.Truncated, out.NextMarker = truncated(next)
	return out, nil
}
