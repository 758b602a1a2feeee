package kms

import (
	"context"
	"errors"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// Deletion windows AWS allows, in days.
const (
	minPendingWindow     = 7
	maxPendingWindow     = 30
	defaultPendingWindow = 30
)

// ScheduleKeyDeletion puts the key in PendingDeletion for days days (0 means
// AWS's default of 30). The key is deleted by Sweep once the window ends.
func (s *Service) ScheduleKeyDeletion(ctx context.Context, ref string, days int) (*store.Key, error) {
	if days == 0 {
		days = defaultPendingWindow
	}
	if days < minPendingWindow || days > maxPendingWindow {
		return nil, newError(ErrValidation, "PendingWindowInDays must be between %d and %d", minPendingWindow, maxPendingWindow)
	}
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "ScheduleKeyDeletion"})
	if err != nil {
		return nil, err
	}
	return s.updateKey(ctx, k.ID, func(k *store.Key) error {
		if k.State == StatePendingDeletion {
			return stateError(s.KeyARN(k.ID), k.State)
		}
		k.State = StatePendingDeletion
		k.PendingWindowInDays = days
		k.DeletionDate = s.now().Add(time.Duration(days) * 24 * time.Hour)
		return nil
	})
}

// CancelKeyDeletion ends a deletion window. The key becomes Disabled, as in
// AWS; a key of origin EXTERNAL that has no usable material becomes
// PendingImport instead, because it cannot be enabled without material.
func (s *Service) CancelKeyDeletion(ctx context.Context, ref string) (*store.Key, error) {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "CancelKeyDeletion"})
	if err != nil {
		return nil, err
	}
	return s.updateKey(ctx, k.ID, func(k *store.Key) error {
		if k.State != StatePendingDeletion {
			return newError(ErrInvalidState, "%s is not pending deletion.", s.KeyARN(k.ID))
		}
		k.State = StateDisabled
		if k.Origin == OriginExternal && CurrentMaterial(k) == nil {
			k.State = StatePendingImport
		}
		k.DeletionDate = time.Time{}
		k.PendingWindowInDays = 0
		return nil
	})
}

// Sweep performs the background work that is due at the service's current
// time: it deletes keys whose deletion window has ended, rotates keys whose
// automatic rotation is due and deletes imported key material whose
// ValidTo has passed. It is idempotent and safe to run on
// several nodes at once: each change is a conditional store update.
// It returns the number of keys it changed. It also writes the key usage
// buffered since the last sweep (FlushKeyUsage, lastusage.go); a flush
// that fails keeps the usage buffered for the next sweep and does not hold
// up the due work (its error is returned with the sweep's).
func (s *Service) Sweep(ctx context.Context) (int, error) {
	flushErr := s.FlushKeyUsage(ctx)
	changed, err := s.sweepDue(ctx)
	return changed, errors.Join(flushErr, err)
}

// sweepDue does the work due now, a page of keys at a time.
func (s *Service) sweepDue(ctx context.Context) (int, error) {
	now := s.now()
	ids, err := s.cfg.Store.KeysDue(ctx, now, 100)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, id := range ids {
		done, err := s.sweepKey(ctx, id, now)
		if err != nil {
			return changed, err
		}
		if done {
			changed++
		}
	}
	return changed, nil
}

func (s *Service) sweepKey(ctx context.Context, id string, now time.Time) (bool, error) {
	k, err := s.cfg.Store.GetKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // another node got there first
	}
	if err != nil {
		return false, err
	}
	if k.State == StatePendingDeletion && !k.DeletionDate.After(now) {
		err := s.cfg.Store.DeleteKey(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		s.cache.dropKey(k)
		s.cfg.Logger.Info("key deleted at the end of its deletion window", "key_id", id)
		s.event(Event{Name: "DeleteKey", KeyARN: s.KeyARN(id)})
		return true, nil
	}
	rotated, err := s.rotateIfDue(ctx, k, now)
	if err != nil {
		return false, err
	}
	expired, err := s.expireMaterials(ctx, id, now)
	return rotated || expired, err
}

// expireMaterials deletes every imported material of key id whose ValidTo
// is not after now, and expired import parameters. The key becomes
// PendingImport unless it is pending deletion or only material pending
// rotation expired.
func (s *Service) expireMaterials(ctx context.Context, id string, now time.Time) (bool, error) {
	var gone []string
	paramsExpired := false
	k, err := s.updateKey(ctx, id, func(k *store.Key) error {
		// Material pending rotation is not associated with the key yet:
		// it goes without changing the key's state.
		gone = dropPending(k, func(m *store.Material) bool {
			return m.ExpirationModel == ExpirationExpires && !m.ValidTo.After(now)
		})
		pendingGone := len(gone)
		// Expired import parameters: destroy the sealed wrapping key.
		paramsExpired = k.Import != nil && !k.Import.ValidTo.After(now)
		if paramsExpired {
			k.Import = nil
		}
		for i := range k.Materials {
			m := &k.Materials[i]
			if !m.Deleted && m.ExpirationModel == ExpirationExpires && !m.ValidTo.After(now) {
				m.Deleted, m.Sealed = true, nil
				gone = append(gone, m.ID)
			}
		}
		if len(gone) > pendingGone && k.State != StatePendingDeletion {
			k.State = StatePendingImport
		}
		return nil
	})
	if err != nil || len(gone) == 0 {
		return paramsExpired, err
	}
	for _, m := range gone {
		s.cache.dropMaterial(m)
	}
	s.cfg.Logger.Info("imported key material expired", "key_id", k.ID, "materials", len(gone))
	s.event(Event{Name: "DeleteExpiredKeyMaterial", KeyARN: s.KeyARN(k.ID)})
	return true, nil
}

// RunSweeper calls Sweep every interval until ctx is done, and once at
// once, so that work that fell due while the server was down is done at
// start.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
