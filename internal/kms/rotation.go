package kms

import (
	"context"
	"strconv"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// Automatic rotation periods AWS allows, in days (RotationPeriodInDaysType).
const (
	minRotationPeriod     = 90
	maxRotationPeriod     = 2560
	defaultRotationPeriod = 365
)

const day = 24 * time.Hour

// RotationStatus is GetKeyRotationStatus's answer. Period and Next are set
// only while automatic rotation is enabled (as AWS omits
// RotationPeriodInDays and NextRotationDate otherwise). Trent rotates on
// demand synchronously, so it never reports an on-demand rotation in
// progress (OnDemandRotationStartDate).
type RotationStatus struct {
	KeyARN  string
	Enabled bool
	Period  int
	Next    time.Time
}

// EnableKeyRotation turns on automatic rotation of a symmetric encryption
// key of origin AWS_KMS, every period days (0 means AWS's default, 365).
// The first rotation falls due period days from now.
//
// Called on a key whose automatic rotation is already enabled, it changes
// the period. AWS only says "the date can change"; Trent keeps the schedule's
// anchor — the last scheduled rotation, or the enabling if none — and adds
// the new period to it. If that moment has passed, the key is due at once
// and the sweep rotates it.
func (s *Service) EnableKeyRotation(ctx context.Context, ref string, period int) error {
	if period == 0 {
		period = defaultRotationPeriod
	}
	if err := checkRotationPeriod(period); err != nil {
		return err
	}
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "EnableKeyRotation",
		extra: map[string]string{"kms:RotationPeriodInDays": strconv.Itoa(period)}})
	if err != nil {
		return err
	}
	_, err = s.updateKey(ctx, k.ID, func(k *store.Key) error {
		if err := s.checkAutoRotatable(k); err != nil {
			return err
		}
		next := s.now().Add(time.Duration(period) * day)
		if k.RotationPeriodInDays > 0 {
			anchor := k.NextRotation.Add(-time.Duration(k.RotationPeriodInDays) * day)
			next = anchor.Add(time.Duration(period) * day)
		}
		k.RotationPeriodInDays, k.NextRotation = period, next
		return nil
	})
	return err
}

// DisableKeyRotation turns off automatic rotation. The key keeps every
// material it has; enabling rotation again starts a new schedule.
func (s *Service) DisableKeyRotation(ctx context.Context, ref string) error {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "DisableKeyRotation"})
	if err != nil {
		return err
	}
	_, err = s.updateKey(ctx, k.ID, func(k *store.Key) error {
		if err := s.checkAutoRotatable(k); err != nil {
			return err
		}
		k.RotationPeriodInDays, k.NextRotation = 0, time.Time{}
		return nil
	})
	return err
}

// GetKeyRotationStatus reports whether automatic rotation is enabled, and
// if so its period and next date. It answers for a key in any state but
// PendingImport. A key pending deletion is reported as not rotating (it
// does not rotate), though its schedule is kept and returns when the
// deletion is cancelled; a Disabled key reports its schedule unchanged.
// Asymmetric and HMAC keys, and keys of origin EXTERNAL, report false.
func (s *Service) GetKeyRotationStatus(ctx context.Context, ref string) (RotationStatus, error) {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "GetKeyRotationStatus"})
	if err != nil {
		return RotationStatus{}, err
	}
	arn := s.KeyARN(k.ID)
	if k.CustomKeyStoreID != "" {
		return RotationStatus{}, errOriginNotValid(arn, k.Origin) // footnote 7: not for custom key stores
	}
	if s.State(k) == StatePendingImport {
		return RotationStatus{}, errOriginNotValid(arn, k.Origin)
	}
	st := RotationStatus{KeyARN: arn}
	if k.State != StatePendingDeletion && k.RotationPeriodInDays > 0 {
		st.Enabled, st.Period, st.Next = true, k.RotationPeriodInDays, k.NextRotation
	}
	return st, nil
}

// checkAutoRotatable applies Enable/DisableKeyRotation's rules to k, in
// AWS's order: the key state first (a Disabled key answers
// DisabledException whatever its type), then the key type (asymmetric and
// HMAC keys: UnsupportedOperationException without a message), then the
// origin (keys with imported material never rotate automatically; AWS
// documents the message for PendingImport keys, footnote 6, and Trent uses
// it for every EXTERNAL key).
func (s *Service) checkAutoRotatable(k *store.Key) error {
	arn := s.KeyARN(k.ID)
	switch state := s.State(k); state {
	case StateDisabled, StatePendingDeletion:
		return stateError(arn, state)
	}
	if !symmetricEncryption(k) {
		return errRotationUnsupported
	}
	if k.Origin != OriginAWSKMS {
		return errOriginNotValid(arn, k.Origin)
	}
	return nil
}

// errRotationUnsupported is AWS's answer, without a message, for rotating
// an asymmetric or HMAC key.
var errRotationUnsupported = &Error{Kind: ErrUnsupported}

func errOriginNotValid(arn, origin string) error {
	return newError(ErrUnsupported, "%s origin is %s which is not valid for this operation.", arn, origin)
}

// symmetricEncryption reports whether k is a symmetric encryption key, the
// only kind that rotates.
func symmetricEncryption(k *store.Key) bool {
	return k.KeySpec == SpecSymmetricDefault && k.KeyUsage == UsageEncryptDecrypt
}

// checkRotationPeriod answers an out-of-range period as the AWS request
// framework does.
func checkRotationPeriod(period int) error {
	switch {
	case period < minRotationPeriod:
		return newError(ErrValidation, "1 validation error detected: Value '%d' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to %d", period, minRotationPeriod)
	case period > maxRotationPeriod:
		return newError(ErrValidation, "1 validation error detected: Value '%d' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to %d", period, maxRotationPeriod)
	}
	return nil
}
