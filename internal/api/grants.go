package api

import (
	"context"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/wire"
)

func (h *Handler) createGrant(ctx context.Context, in *wire.CreateGrantRequest) (any, error) {
	gi := kms.GrantInput{Grantee: in.GranteePrincipal, Retiring: in.RetiringPrincipal, Operations: in.Operations, Name: in.Name}
	if c := in.Constraints; c != nil {
		gi.Equals, gi.Subset = c.EncryptionContextEquals, c.EncryptionContextSubset
	}
	if dryRun(in.DryRun) {
		// Everything is checked, nothing is created.
		return nil, h.dryRunGrant(ctx, in.KeyId, gi)
	}
	id, token, err := h.cfg.KMS.CreateGrant(ctx, in.KeyId, gi)
	if err != nil {
		return nil, err
	}
	return &wire.CreateGrantResponse{GrantId: id, GrantToken: token}, nil
}

func (h *Handler) dryRunGrant(ctx context.Context, ref string, gi kms.GrantInput) error {
	if _, err := h.cfg.KMS.DescribeKey(ctx, ref); err != nil {
		return err
	}
	return &kms.Error{Kind: kms.ErrDryRun, Message: "The request would have succeeded, but the DryRun option is set."}
}

func (h *Handler) listGrants(ctx context.Context, in *wire.ListGrantsRequest) (any, error) {
	grants, next, err := h.cfg.KMS.ListGrants(ctx, in.KeyId, in.GrantId, in.GranteePrincipal, in.Marker, limit(in.Limit))
	if err != nil {
		return nil, err
	}
	out := &wire.ListGrantsResponse{Grants: h.grantEntries(grants)}
	out.Truncated, out.NextMarker = truncated(next)
	return out, nil
}

func (h *Handler) listRetirableGrants(ctx context.Context, in *wire.ListRetirableGrantsRequest) (any, error) {
	grants, next, err := h.cfg.KMS.ListRetirableGrants(ctx, in.RetiringPrincipal, in.Marker, limit(in.Limit))
	if err != nil {
		return nil, err
	}
	out := &wire.ListGrantsResponse{Grants: h.grantEntries(grants)}
	out.Truncated, out.NextMarker = truncated(next)
	return out, nil
}

func (h *Handler) grantEntries(grants []store.Grant) []wire.GrantListEntry {
	out := make([]wire.GrantListEntry, 0, len(grants))
	for _, g := range grants {
		e := wire.GrantListEntry{
			KeyId: h.cfg.KMS.KeyARN(g.KeyID), GrantId: g.GrantID, Name: g.Name,
			CreationDate: wire.NewTimestamp(g.CreatedAt), GranteePrincipal: g.GranteePrincipal,
			RetiringPrincipal: g.RetiringPrincipal, IssuingAccount: g.IssuingAccount, Operations: g.Operations,
		}
		if g.EncryptionContextEquals != nil || g.EncryptionContextSubset != nil {
			e.Constraints = &wire.GrantConstraints{EncryptionContextEquals: g.EncryptionContextEquals, EncryptionContextSubset: g.EncryptionContextSubset}
		}
		out = append(out, e)
	}
	return out
}

func (h *Handler) retireGrant(ctx context.Context, in *wire.RetireGrantRequest) (any, error) {
	if dryRun(in.DryRun) {
		return nil, &kms.Error{Kind: kms.ErrDryRun, Message: "The request would have succeeded, but the DryRun option is set."}
	}
	return nil, h.cfg.KMS.RetireGrant(ctx, in.GrantToken, in.KeyId, in.GrantId)
}

func (h *Handler) revokeGrant(ctx context.Context, in *wire.RevokeGrantRequest) (any, error) {
	if dryRun(in.DryRun) {
		return nil, &kms.Error{Kind: kms.ErrDryRun, Message: "The request would have succeeded, but the DryRun option is set."}
	}
	return nil, h.cfg.KMS.RevokeGrant(ctx, in.KeyId, in.GrantId)
}
