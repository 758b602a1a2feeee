package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/store"
)

// associate records material m on key k under the ImportType rules.
func (s *Service) associate(k *store.Key, m store.Material, opt ImportOptions) error {
	importType := opt.ImportType
	if importType == "" {
		importType = ImportExisting
		if len(k.Materials) == 0 {
			importType = ImportNew
		}
	}
	existing := -1
	for i := range k.Materials {
		if k.Materials[i].ID == m.ID {
			existing = i
		}
	}
	switch {
	case importType == ImportNew && opt.MaterialID != "":
		return newError(ErrValidation, "KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL")
	case importType == ImportNew && existing >= 0:
		return newError(ErrIncorrectKeyMaterial, "The key material is already associated with this KMS key; import it with ImportType EXISTING_KEY_MATERIAL.")
	case importType == ImportNew && len(k.Materials) > 0:
		return s.addPending(k, m)
	case importType == ImportNew:
		k.Materials = append(k.Materials, m)
		return nil
	case opt.MaterialID != "" && opt.MaterialID != m.ID:
		return newError(ErrIncorrectKeyMaterial, "The key material does not match the KeyMaterialId in the request.")
	case existing < 0:
		return newError(ErrIncorrectKeyMaterial, "The key material does not match the key material previously imported into this KMS key.")
	}
	old := &k.Materials[existing]
	old.Sealed, old.Deleted = m.Sealed, false
	old.ImportedAt, old.ExpirationModel, old.ValidTo = m.ImportedAt, m.ExpirationModel, m.ValidTo
	if m.Description != "" {
		old.Description = m.Description
	}
	return nil
}

// missingMaterial reports whether any material associated with k is
// deleted or expired: then k cannot leave PendingImport.
func missingMaterial(k *store.Key) bool {
	if len(k.Materials) == 0 {
		return true
	}
	for _, m := range k.Materials {
		if m.Deleted && m.State != MaterialPendingRotation {
			return true
		}
	}
	return false
}

// DeleteImportedKeyMaterial deletes the key's current material (or the one
// named by materialID). The key becomes PendingImport, unless it is pending
// deletion or the material was only pending rotation; ciphertexts under the
// material decrypt again once the same material is reimported.
func (s *Service) DeleteImportedKeyMaterial(ctx context.Context, ref, materialID string) (keyARN, deletedID string, err error) {
	k, err := s.importableKey(ctx, ref, authReq{action: "DeleteImportedKeyMaterial"})
	if err != nil {
		return "", "", err
	}
	_, err = s.updateKey(ctx, k.ID, func(k *store.Key) error {
		deletedID = ""
		if gone := dropPending(k, func(m *store.Material) bool { return m.ID == materialID }); len(gone) > 0 {
			deletedID = gone[0] // not associated yet: the key's state stays
			return nil
		}
		for i := range k.Materials {
			m := &k.Materials[i]
			if m.Deleted || (materialID == "" && m.State != MaterialCurrent) || (materialID != "" && m.ID != materialID) {
				continue
			}
			m.Deleted, m.Sealed = true, nil
			deletedID = m.ID
		}
		if materialID != "" && deletedID == "" {
			return newError(ErrNotFound, "Key material '%s' of %s does not exist", materialID, s.KeyARN(k.ID))
		}
		if deletedID != "" && k.State != StatePendingDeletion {
			k.State = StatePendingImport
		}
		return nil
	})
	if err != nil {
		return "", "", err
	}
	if deletedID != "" {
		s.cache.dropMaterial(deletedID)
	}
	return s.KeyARN(k.ID), deletedID, nil
}
