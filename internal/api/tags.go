package api

import (
	"context"

	"github.com/trent-kms/trent/internal/wire"
)

func (h *Handler) tagResource(ctx context.Context, in *wire.TagResourceRequest) (any, error) {
	return nil, h.cfg.KMS.TagResource(ctx, in.KeyId, fromWireTags(in.Tags))
}

func (h *Handler) untagResource(ctx context.Context, in *wire.UntagResourceRequest) (any, error) {
	return nil, h.cfg.KMS.UntagResource(ctx, in.KeyId, in.TagKeys)
}

func (h *Handler) listResourceTags(ctx context.Context, in *wire.ListResourceTagsRequest) (any, error) {
	tags, next, err := h.cfg.KMS.ListResourceTags(ctx, in.KeyId, in.Marker, limit(in.Limit))
	if err != nil {
		return nil, err
	}
	out := &wire.ListResourceTagsResponse{Tags: make([]wire.Tag, 0, len(tags))}
	for _, t := range tags {
		out.Tags = append(out.Tags, wire.Tag{TagKey: t.Key, TagValue: wire.Ptr(t.Value)})
	}
	out.Truncated, out.NextMarker = truncated(next)
	return out, nil
}
