package kms

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// materialIDer derives KeyMaterialIds. AWS says an ID is "based on the KMS
// key ID and the imported key material" without saying how; Trent uses
// HMAC-SHA256 under a service-wide secret, so the ID is stable for the same
// material (reimport can be checked against it) but reveals nothing about
// the material to anyone without the secret — a bare hash would let anyone
// confirm a guess of the key.
type materialIDer struct {
	secret []byte
}

// id returns the 64-hex KeyMaterialId of material for key keyID.
func (d *materialIDer) id(keyID string, material []byte) string {
	mac := hmac.New(sha256.New, d.secret)
	mac.Write([]byte(keyID))
	mac.Write([]byte{0})
	mac.Write(material)
	return hex.EncodeToString(mac.Sum(nil))
}

// materialContext binds a sealed material to its key and ID, so that a
// sealed value copied into another record fails to unseal.
func materialContext(keyID, materialID string) string {
	return rootkey.MaterialContext(keyID, materialID)
}

// newMaterial seals material for key k and returns its record.
func (s *Service) newMaterial(keyID string, material []byte, state string) (store.Material, error) {
	id := s.matIDer.id(keyID, material)
	sealed, err := s.cfg.RootKey.Seal(material, materialContext(keyID, id))
	if err != nil {
		return store.Material{}, err
	}
	return store.Material{ID: id, Sealed: sealed, State: state}, nil
}

// unsealed returns the plaintext of material m of key k, from the cache
// when possible. The returned slice is shared: callers must not modify it.
func (s *Service) unsealed(k *store.Key, m *store.Material) ([]byte, error) {
	if b := s.cache.material(m.ID); b != nil {
		return b, nil
	}
	b, err := s.cfg.RootKey.Unseal(m.Sealed, materialContext(k.ID, m.ID))
	if err != nil {
		return nil, fmt.Errorf("kms: key material of %s does not unseal: %w", k.ID, err)
	}
	s.cache.putMaterial(m.ID, b)
	return b, nil
}

// CurrentMaterial returns the material that encrypts for k, or nil if k
// has none (a key of origin EXTERNAL before import or after expiry).
func CurrentMaterial(k *store.Key) *store.Material {
	for i := range k.Materials {
		m := &k.Materials[i]
		if m.State == MaterialCurrent && !m.Deleted {
			return m
		}
	}
	return nil
}

// findMaterial returns k's usable material with the given ID, or nil.
// Material pending rotation is not usable: it was never current, so no
// ciphertext of the key's can be under it.
func findMaterial(k *store.Key, id string) *store.Material {
	for i := range k.Materials {
		m := &k.Materials[i]
		if m.ID == id && !m.Deleted && m.State != MaterialPendingRotation {
			return m
		}
	}
	return nil
}

// State returns k's key state as clients must see it now: a key whose
// imported material has passed its ValidTo is PendingImport even before the
// sweep has recorded it, so expired material is never used.
//
// A key in a custom key store that is not connected is Unavailable unless
// it is pending deletion; its stored state returns on reconnection.
func (s *Service) State(k *store.Key) string {
	if k.CustomKeyStoreID != "" && (k.State == StateEnabled || k.State == StateDisabled) &&
		!s.storeConnected(context.Background(), k) {
		return StateUnavailable
	}
	if k.State == StateEnabled || k.State == StateDisabled {
		if v := EarliestValidTo(k); !v.IsZero() && !v.After(s.now()) {
			return StatePendingImport
		}
	}
	return k.State
}

// EarliestValidTo returns the earliest expiry of k's imported materials
// that expire, as DescribeKey's ValidTo reports it; zero if none expires.
// Material pending rotation is not associated with the key yet: its expiry
// is not the key's.
func EarliestValidTo(k *store.Key) time.Time {
	var t time.Time
	for _, m := range k.Materials {
		if !m.Deleted && m.State != MaterialPendingRotation && m.ExpirationModel == ExpirationExpires && (t.IsZero() || m.ValidTo.Before(t)) {
			t = m.ValidTo
		}
	}
	return t
}
