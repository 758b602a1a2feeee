package api

import (
	"context"

	"github.com/trent-kms/trent/internal/wire"
)

func (h *Handler) putKeyPolicy(ctx context.Context, in *wire.PutKeyPolicyRequest) (any, error) {
	bypass := in.BypassPolicyLockoutSafetyCheck != nil && *in.BypassPolicyLockoutSafetyCheck
	return nil, h.cfg.KMS.PutKeyPolicy(ctx, in.KeyId, in.PolicyName, in.Policy, bypass)
}

func (h *Handler) getKeyPolicy(ctx context.Context, in *wire.GetKeyPolicyRequest) (any, error) {
	doc, err := h.cfg.KMS.GetKeyPolicy(ctx, in.KeyId, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &wire.GetKeyPolicyResponse{Policy: doc, PolicyName: "default"}, nil
}

func (h *Handler) listKeyPolicies(ctx context.Context, in *wire.ListKeyPoliciesRequest) (any, error) {
	names, err := h.cfg.KMS.ListKeyPolicies(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	return &wire.ListKeyPoliciesResponse{PolicyNames: names, Truncated: wire.Ptr(false)}, nil
}
