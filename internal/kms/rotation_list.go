package kms

import (
	"context"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// IncludeKeyMaterial values of ListKeyRotations.
const (
	IncludeRotationsOnly = "ROTATIONS_ONLY"
	IncludeAllMaterial   = "ALL_KEY_MATERIAL"
)

// markerRotations is the kind of ListKeyRotations markers (marker.go); the
// position is the KeyMaterialId of the last entry of the previous page.
const markerRotations = "m"

// RotationEntry is one key material as ListKeyRotations reports it. The
// import fields are set for keys of origin EXTERNAL only.
type RotationEntry struct {
	KeyID        string
	MaterialID   string
	State        string    // CURRENT, NON_CURRENT, PENDING_ROTATION
	RotationDate time.Time // zero for the original and for pending material
	RotationType string    // AUTOMATIC, ON_DEMAND; "" as RotationDate

	ImportState     string // IMPORTED, PENDING_IMPORT (deleted or expired)
	ExpirationModel string
	ValidTo         time.Time // with KEY_MATERIAL_EXPIRES
	Description     string
}

// ListKeyRotations returns a page of key's materials, oldest first, and the
// marker of the next page ("" on the last). ROTATIONS_ONLY (the default)
// lists the materials that became current by a rotation, so a key never
// rotated lists none; ALL_KEY_MATERIAL adds the original material and any
// material pending rotation, which comes last.
//
// It answers in every key state, PendingImport included. An asymmetric or
// HMAC key has no rotations: an empty list, and ALL_KEY_MATERIAL, which
// AWS says applies only to keys that rotate, is UnsupportedOperation (the
// error AWS gives is not documented).
//
// Entries name the key by its ID, as AWS's examples show.
func (s *Service) ListKeyRotations(ctx context.Context, ref, include, marker string, limit int) ([]RotationEntry, string, error) {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "ListKeyRotations"})
	if err != nil {
		return nil, "", err
	}
	after, err := decodeMarker(markerRotations, marker)
	if err != nil {
		return nil, "", err
	}
	switch include {
	case "", IncludeRotationsOnly, IncludeAllMaterial:
	default:
		return nil, "", newError(ErrValidation, "IncludeKeyMaterial must be %s or %s", IncludeRotationsOnly, IncludeAllMaterial)
	}
	if k.CustomKeyStoreID != "" {
		return nil, "", errOriginNotValid(s.KeyARN(k.ID), k.Origin) // footnote 7
	}
	if !symmetricEncryption(k) {
		if include == IncludeAllMaterial {
			return nil, "", errRotationUnsupported
		}
		return nil, "", nil
	}
	all := include == IncludeAllMaterial
	var entries []RotationEntry
	for _, m := range k.Materials {
		if all || m.RotationType != "" {
			entries = append(entries, rotationEntry(k, m))
		}
	}
	if after != "" {
		i := indexOfMaterial(entries, after)
		if i < 0 {
			return nil, "", newError(ErrInvalidMarker, "Invalid marker: %s", truncate(marker, 64))
		}
		entries = entries[i+1:]
	}
	limit = pageLimit(limit, 100)
	if len(entries) <= limit {
		return entries, "", nil
	}
	entries = entries[:limit]
	return entries, encodeMarker(markerRotations, entries[limit-1].MaterialID), nil
}

func rotationEntry(k *store.Key, m store.Material) RotationEntry {
	e := RotationEntry{
		KeyID: k.ID, MaterialID: m.ID, State: m.State,
		RotationDate: m.RotatedAt, RotationType: m.RotationType,
	}
	if k.Origin == OriginExternal {
		e.ImportState, e.ExpirationModel, e.Description = "IMPORTED", m.ExpirationModel, m.Description
		if m.Deleted {
			e.ImportState = "PENDING_IMPORT"
		}
		if m.ExpirationModel == ExpirationExpires {
			e.ValidTo = m.ValidTo
		}
	}
	return e
}

func indexOfMaterial(entries []RotationEntry, id string) int {
	for i, e := range entries {
		if e.MaterialID == id {
			return i
		}
	}
	return -1
}
