package kms

import (
	"context"
	"io"
	"slices"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// Material states beyond CURRENT, and how a material became current.
const (
	MaterialNonCurrent      = "NON_CURRENT"
	MaterialPendingRotation = "PENDING_ROTATION"

	RotationAutomatic = "AUTOMATIC"
	RotationOnDemand  = "ON_DEMAND"
)

const (
	// maxOnDemandRotations is AWS's lifetime limit per key (25 since 2025;
	// it was 10). Trent counts rotations of imported material too, which
	// AWS does not document either way.
	maxOnDemandRotations = 25
	// conflictWindow: AWS refuses an on-demand rotation while an automatic
	// one is due within this long.
	conflictWindow = 20 * time.Minute
)

// RotateKeyOnDemand rotates a symmetric encryption key now and returns its
// ARN. A key of origin AWS_KMS gets fresh material; a key of origin
// EXTERNAL makes its PENDING_ROTATION material (ImportKeyMaterial with
// NEW_KEY_MATERIAL) current. The previous material stays, NON_CURRENT, so
// every earlier ciphertext still decrypts; the automatic schedule does not
// move.
//
// AWS rotates asynchronously and reports the rotation in progress for a
// while (OnDemandRotationStartDate); Trent completes it in one store
// transaction before answering, so CurrentKeyMaterialId is consistent as
// soon as the call returns and there is never a rotation in progress to
// conflict with. A kill -9 leaves either the old or the new material list.
func (s *Service) RotateKeyOnDemand(ctx context.Context, ref string) (string, error) {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "RotateKeyOnDemand"})
	if err != nil {
		return "", err
	}
	var fresh *store.Material
	if k.Origin == OriginAWSKMS && symmetricEncryption(k) {
		if fresh, err = s.freshMaterial(k.ID); err != nil {
			return "", err
		}
	}
	now := s.now()
	_, err = s.updateKey(ctx, k.ID, func(k *store.Key) error {
		if err := s.checkOnDemand(k, now); err != nil {
			return err
		}
		if k.Origin == OriginExternal {
			return s.promotePending(k, now)
		}
		rotateIn(k, *fresh, now, RotationOnDemand)
		return nil
	})
	if err != nil {
		return "", err
	}
	return s.KeyARN(k.ID), nil
}

// checkOnDemand applies RotateKeyOnDemand's rules to k, in AWS's order:
// state, key type, the lifetime limit, then a due automatic rotation.
func (s *Service) checkOnDemand(k *store.Key, now time.Time) error {
	arn := s.KeyARN(k.ID)
	if state := s.State(k); state != StateEnabled {
		return stateError(arn, state)
	}
	if !symmetricEncryption(k) {
		return errRotationUnsupported
	}
	if k.Origin != OriginAWSKMS && k.Origin != OriginExternal {
		return errOriginNotValid(arn, k.Origin)
	}
	n := 0
	for _, m := range k.Materials {
		if m.RotationType == RotationOnDemand {
			n++
		}
	}
	if n >= maxOnDemandRotations {
		return newError(ErrLimitExceeded, "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s", arn)
	}
	if k.RotationPeriodInDays > 0 && k.NextRotation.Sub(now) < conflictWindow {
		// AWS documents the exception, not its message.
		return newError(ErrConflict, "An automatic rotation of %s is in progress or scheduled to begin within the next 20 minutes.", arn)
	}
	return nil
}

// promotePending makes the PENDING_ROTATION material of EXTERNAL key k
// current.
func (s *Service) promotePending(k *store.Key, now time.Time) error {
	for i := range k.Materials {
		m := &k.Materials[i]
		if m.State == MaterialPendingRotation && !m.Deleted {
			pending := *m
			k.Materials = append(k.Materials[:i], k.Materials[i+1:]...)
			rotateIn(k, pending, now, RotationOnDemand)
			return nil
		}
	}
	return newError(ErrInvalidState, "No available key material pending rotation for the key: %s.", s.KeyARN(k.ID))
}

// rotateIn appends m to k's materials as the current one; the previous
// current material becomes NON_CURRENT (decrypt only).
func rotateIn(k *store.Key, m store.Material, now time.Time, how string) {
	for i := range k.Materials {
		if k.Materials[i].State == MaterialCurrent {
			k.Materials[i].State = MaterialNonCurrent
		}
	}
	m.State, m.RotatedAt, m.RotationType = MaterialCurrent, now, how
	k.Materials = append(k.Materials, m)
}

// freshMaterial returns new random 256-bit material for key keyID, sealed
// under the root key.
func (s *Service) freshMaterial(keyID string) (*store.Material, error) {
	material := make([]byte, 32)
	defer clear(material)
	if _, err := io.ReadFull(s.cfg.Rand, material); err != nil {
		return nil, err
	}
	m, err := s.newMaterial(keyID, material, MaterialCurrent)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// Rotation of keys with imported material (symmetric keys of origin
// EXTERNAL): ImportKeyMaterial with NEW_KEY_MATERIAL adds material in state
// PENDING_ROTATION; RotateKeyOnDemand makes it current (promotePending).
// Until then the material is not associated with the key: it encrypts and
// decrypts nothing, its expiry is not the key's (DescribeKey's ValidTo), and
// deleting it or its expiring leaves the key's state alone.
//
// AWS does not say what becomes of pending material that is deleted or
// expires. Trent removes it from the key: nothing can depend on it, and the
// way is then clear to import new material (or the same again), where a
// deleted pending material would block every NEW_KEY_MATERIAL import
// ("another key material is pending rotation") until reimported.

// addPending records m as k's material pending rotation. At most one
// material is pending at a time.
func (s *Service) addPending(k *store.Key, m store.Material) error {
	for _, p := range k.Materials {
		if p.State == MaterialPendingRotation {
			return newError(ErrInvalidState, "New key material (id: %s) cannot be imported into KMS key %s, because another key material (id: %s) is pending rotation.", m.ID, s.KeyARN(k.ID), p.ID)
		}
	}
	m.State = MaterialPendingRotation
	k.Materials = append(k.Materials, m)
	return nil
}

// dropPending removes from k every material pending rotation for which
// match is true, and returns their IDs.
func dropPending(k *store.Key, match func(*store.Material) bool) []string {
	var gone []string
	k.Materials = slices.DeleteFunc(k.Materials, func(m store.Material) bool {
		if m.State == MaterialPendingRotation && match(&m) {
			gone = append(gone, m.ID)
			return true
		}
		return false
	})
	return gone
}
