package kms

import (
	"context"
	"errors"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// errNotDue makes an UpdateKey write nothing: the rotation it was to make
// is no longer due (another node made it, or the key changed).
var errNotDue = errors.New("kms: rotation no longer due")

// autoRotationDue reports whether k's automatic rotation is due at now. A
// key rotates only while Enabled; a Disabled or PendingDeletion key keeps
// its date and rotates as soon as it is Enabled again if the date has
// passed meanwhile (store.Key.DueAt makes it due then).
func autoRotationDue(k *store.Key, now time.Time) bool {
	return k.State == StateEnabled && k.RotationPeriodInDays > 0 && !k.NextRotation.After(now) &&
		k.Origin == OriginAWSKMS && symmetricEncryption(k)
}

// rotateIfDue makes the automatic rotation of key id if it is due at now,
// in one store transaction that appends the new sealed material and moves
// the date, so a crash leaves the rotation either wholly done or not begun
// (and then still due). It reports whether it rotated.
//
// The next date stays on the schedule: the period is added to the missed
// date until it is in the future. A server that was down for several
// periods rotates once, not once per missed period (AWS documents "rotates
// immediately" for a missed date, nothing about several).
func (s *Service) rotateIfDue(ctx context.Context, k *store.Key, now time.Time) (bool, error) {
	if !autoRotationDue(k, now) {
		return false, nil
	}
	fresh, err := s.freshMaterial(k.ID)
	if err != nil {
		return false, err
	}
	k, err = s.updateKey(ctx, k.ID, func(k *store.Key) error {
		if !autoRotationDue(k, now) {
			return errNotDue
		}
		rotateIn(k, *fresh, now, RotationAutomatic)
		period := time.Duration(k.RotationPeriodInDays) * day
		for !k.NextRotation.After(now) {
			k.NextRotation = k.NextRotation.Add(period)
		}
		return nil
	})
	switch {
	case errors.Is(err, errNotDue), errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	s.cfg.Logger.Info("key rotated automatically", "key_id", k.ID, "next_rotation", k.NextRotation)
	s.event(Event{Name: "RotateKey", KeyARN: s.KeyARN(k.ID)})
	return true, nil
}

// decryptMaterial returns the usable material of k that a ciphertext names.
// If k is a cached snapshot that does not know the material, the key is
// read again from the store once: with several nodes (Config.CacheTTL),
// another node may have rotated the key and encrypted under the new
// material before this node's snapshot expired. It returns the key the
// material was found in.
func (s *Service) decryptMaterial(ctx context.Context, k *store.Key, id string) (*store.Key, *store.Material, error) {
	if m := findMaterial(k, id); m != nil {
		return k, m, nil
	}
	fresh, err := s.cfg.Store.GetKey(ctx, k.ID)
	if errors.Is(err, store.ErrNotFound) {
		return k, nil, nil
	}
	if err != nil {
		return k, nil, err
	}
	if fresh.Version == k.Version || s.State(fresh) != StateEnabled {
		return k, nil, nil
	}
	s.cache.putKey(fresh, s.now())
	return fresh, findMaterial(fresh, id), nil
}
