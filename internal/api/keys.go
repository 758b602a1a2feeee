package api

import (
	"context"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/wire"
)

func (h *Handler) createKey(ctx context.Context, in *wire.CreateKeyRequest) (any, error) {
	spec := in.KeySpec
	if spec == "" {
		spec = in.CustomerMasterKeySpec
	} else if in.CustomerMasterKeySpec != "" && in.CustomerMasterKeySpec != spec {
		return nil, validation("You cannot specify both KeySpec and CustomerMasterKeySpec with different values.")
	}
	k, err := h.cfg.KMS.CreateKey(ctx, kms.CreateKeyInput{
		Description: in.Description,
		KeySpec:     spec,
		KeyUsage:    in.KeyUsage,
		Origin:      in.Origin,
		Tags:        fromWireTags(in.Tags),
		MultiRegion: in.MultiRegion != nil && *in.MultiRegion,
		Policy:      in.Policy,

		CustomKeyStoreID: in.CustomKeyStoreId,
		XksKeyID:         in.XksKeyId,

		BypassPolicyLockoutSafetyCheck: in.BypassPolicyLockoutSafetyCheck != nil && *in.BypassPolicyLockoutSafetyCheck,
	})
	if err != nil {
		return nil, err
	}
	return keyMetadataResponse{h.metadata(k)}, nil
}

func (h *Handler) describeKey(ctx context.Context, in *wire.DescribeKeyRequest) (any, error) {
	k, err := h.cfg.KMS.DescribeKey(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	return keyMetadataResponse{h.metadata(k)}, nil
}

// keyMetadataResponse is the output of CreateKey and DescribeKey.
type keyMetadataResponse struct {
	KeyMetadata keyMetadata
}

// keyMetadata is wire.KeyMetadata with Description always present: AWS
// sends "Description": "" for a key without one, and clients index it.
type keyMetadata struct {
	*wire.KeyMetadata
	Description string `json:"Description"`
}

// metadata renders a key as AWS's KeyMetadata.
func (h *Handler) metadata(k *store.Key) keyMetadata {
	s := h.cfg.KMS
	state := s.State(k)
	md := &wire.KeyMetadata{
		AWSAccountId:          s.AccountID(),
		KeyId:                 k.ID,
		Arn:                   s.KeyARN(k.ID),
		CreationDate:          wire.NewTimestamp(k.CreatedAt),
		Enabled:               wire.Ptr(state == kms.StateEnabled),
		Description:           k.Description,
		KeyUsage:              k.KeyUsage,
		KeyState:              state,
		Origin:                k.Origin,
		KeyManager:            "CUSTOMER",
		CustomerMasterKeySpec: k.KeySpec,
		KeySpec:               k.KeySpec,
		MultiRegion:           wire.Ptr(k.MultiRegion),
	}
	algs := kms.AlgorithmsOf(k.KeySpec, k.KeyUsage)
	md.EncryptionAlgorithms, md.SigningAlgorithms = algs.Encryption, algs.Signing
	md.MacAlgorithms, md.KeyAgreementAlgorithms = algs.MAC, algs.KeyAgreement
	md.CustomKeyStoreId = k.CustomKeyStoreID
	if k.XksKeyID != "" {
		md.XksKeyConfiguration = &wire.XksKeyConfigurationType{Id: k.XksKeyID}
	}
	if k.State == kms.StatePendingDeletion {
		md.DeletionDate = wire.NewTimestamp(k.DeletionDate)
		md.PendingDeletionWindowInDays = wire.Ptr(int32(k.PendingWindowInDays))
	}
	// A key seen as PendingImport shows no material, even if the sweep
	// has not yet recorded the expiry.
	if cur := kms.CurrentMaterial(k); cur != nil && state != kms.StatePendingImport {
		if k.KeySpec == kms.SpecSymmetricDefault { // AWS shows it for symmetric keys only
			md.CurrentKeyMaterialId = cur.ID
		}
		if k.Origin == kms.OriginExternal {
			md.ExpirationModel = cur.ExpirationModel
		}
	}
	if validTo := kms.EarliestValidTo(k); !validTo.IsZero() && state != kms.StatePendingImport {
		md.ValidTo = wire.NewTimestamp(validTo)
	}
	return keyMetadata{md, md.Description}
}

func (h *Handler) listKeys(ctx context.Context, in *wire.ListKeysRequest) (any, error) {
	keys, next, err := h.cfg.KMS.ListKeys(ctx, in.Marker, limit(in.Limit))
	if err != nil {
		return nil, err
	}
	out := &wire.ListKeysResponse{Keys: make([]wire.KeyListEntry, 0, len(keys))}
	for _, k := range keys {
		out.Keys = append(out.Keys, wire.KeyListEntry{KeyId: k.ID, KeyArn: h.cfg.KMS.KeyARN(k.ID)})
	}
	out.Truncated, out.NextMarker = truncated(next)
	return out, nil
}

func (h *Handler) enableKey(ctx context.Context, in *wire.EnableKeyRequest) (any, error) {
	return nil, h.cfg.KMS.EnableKey(ctx, in.KeyId)
}

func (h *Handler) disableKey(ctx context.Context, in *wire.DisableKeyRequest) (any, error) {
	return nil, h.cfg.KMS.DisableKey(ctx, in.KeyId)
}

func (h *Handler) updateKeyDescription(ctx context.Context, in *wire.UpdateKeyDescriptionRequest) (any, error) {
	// Validate has rejected an absent Description; "" clears it.
	return nil, h.cfg.KMS.UpdateKeyDescription(ctx, in.KeyId, *in.Description)
}

func (h *Handler) scheduleKeyDeletion(ctx context.Context, in *wire.ScheduleKeyDeletionRequest) (any, error) {
	days := 0
	if in.PendingWindowInDays != nil {
		days = int(*in.PendingWindowInDays)
	}
	k, err := h.cfg.KMS.ScheduleKeyDeletion(ctx, in.KeyId, days)
	if err != nil {
		return nil, err
	}
	return &wire.ScheduleKeyDeletionResponse{
		KeyId:               h.cfg.KMS.KeyARN(k.ID),
		DeletionDate:        wire.NewTimestamp(k.DeletionDate),
		KeyState:            k.State,
		PendingWindowInDays: wire.Ptr(int32(k.PendingWindowInDays)),
	}, nil
}

func (h *Handler) cancelKeyDeletion(ctx context.Context, in *wire.CancelKeyDeletionRequest) (any, error) {
	k, err := h.cfg.KMS.CancelKeyDeletion(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	return &wire.CancelKeyDeletionResponse{KeyId: h.cfg.KMS.KeyARN(k.ID)}, nil
}

func fromWireTags(tags []wire.Tag) []store.Tag {
	out := make([]store.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, store.Tag{Key: t.TagKey, Value: *t.TagValue}) // required: Validate ran
	}
	return out
}
