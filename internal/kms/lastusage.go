package kms

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// Last usage (GetKeyLastUsage).
//
// Recording must cost the hot path no store write: a successful
// cryptographic call only updates an in-memory map (one mutex, one map
// write), and Sweep writes the map to the store in one batch. The store
// value therefore lags by at most one sweep interval (10 s by default,
// --sweep-interval), well inside the "delay of up to one hour" AWS
// documents. A graceful stop loses nothing once FlushKeyUsage runs after
// the last request; a crash (kill -9) loses at most the usages of the last
// unflushed interval, which then read as the usage before it. The store
// keeps the later usage whichever node or flush writes last, so nodes
// sharing a database agree.

// usageTrackingStartMeta is the store meta entry holding the time tracking
// began for this service (RFC 3339, UTC): the TrackingStartDate of keys
// created before it. The first node to flush or answer fixes it.
const usageTrackingStartMeta = "key-usage-tracking-start"

// trackedOperations are the operations whose success counts as usage
// (KeyLastUsageTrackingOperation).
var trackedOperations = map[string]bool{
	"Decrypt": true, "DeriveSharedSecret": true, "Encrypt": true, "GenerateDataKey": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true,
	"GenerateDataKeyWithoutPlaintext": true, "GenerateMac": true, "ReEncrypt": true,
	"Sign": true, "Verify": true, "VerifyMac": true,
}

// usageTracker buffers the last usage of each key until the next flush.
// Its zero value is ready to use.
type usageTracker struct {
	mu      sync.Mutex
	pending map[string]store.KeyUsage // key ID → latest unflushed usage
	start   time.Time                 // the tracking start, once read from the store
}

// KeyUsageTracked reports whether the success of operation op counts as
// the use of the keys it touched.
func KeyUsageTracked(op string) bool { return trackedOperations[op] }

// RecordKeyUsage notes that operation op, which succeeded, used the keys
// the request's trace names (for ReEncrypt both keys). requestID and
// eventID identify the call in responses and the audit trail; at is when
// it happened (the service clock if zero). Untracked operations and ARNs
// of other accounts or Regions are ignored. It never touches the store.
func (s *Service) RecordKeyUsage(t *Trace, op, requestID, eventID string, at time.Time) {
	if t == nil || !trackedOperations[op] {
		return
	}
	if at.IsZero() {
		at = s.now()
	}
	u := &s.usage
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, arn := range t.KeyARNs {
		id, ok := s.keyIDOf(arn)
		if !ok {
			continue
		}
		if old, ok := u.pending[id]; ok && !at.After(old.Time) {
			continue
		}
		if u.pending == nil {
			u.pending = make(map[string]store.KeyUsage)
		}
		u.pending[id] = store.KeyUsage{KeyID: id, Operation: op, Time: at.UTC(), RequestID: requestID, EventID: eventID}
	}
}

// FlushKeyUsage writes the buffered usages to the store in one batch. On
// failure they stay buffered (a later usage of the same key replaces its
// entry) and are written by the next flush.
func (s *Service) FlushKeyUsage(ctx context.Context) error {
	u := &s.usage
	u.mu.Lock()
	batch := make([]store.KeyUsage, 0, len(u.pending))
	earliest := s.now()
	for _, p := range u.pending {
		batch = append(batch, p)
		if p.Time.Before(earliest) {
			earliest = p.Time
		}
	}
	clear(u.pending)
	u.mu.Unlock()
	// Tracking began no later than the first usage recorded.
	_, err := s.trackingStart(ctx, earliest)
	if err == nil {
		err = s.cfg.Store.PutKeyUsages(ctx, batch)
	}
	if err != nil {
		u.mu.Lock()
		for _, p := range batch {
			if cur, ok := u.pending[p.KeyID]; !ok || p.Time.After(cur.Time) {
				u.pending[p.KeyID] = p
			}
		}
		u.mu.Unlock()
	}
	return err
}

// trackingStart returns the service's tracking start, fixing it at
// candidate if no node has yet.
func (s *Service) trackingStart(ctx context.Context, candidate time.Time) (time.Time, error) {
	u := &s.usage
	u.mu.Lock()
	start := u.start
	u.mu.Unlock()
	if !start.IsZero() {
		return start, nil
	}
	v, err := s.cfg.Store.InitMeta(ctx, usageTrackingStartMeta, []byte(candidate.UTC().Format(time.RFC3339Nano)))
	if err != nil {
		return time.Time{}, err
	}
	if start, err = time.Parse(time.RFC3339Nano, string(v)); err != nil {
		return time.Time{}, err
	}
	start = start.UTC()
	u.mu.Lock()
	u.start = start
	u.mu.Unlock()
	return start, nil
}

// KeyLastUsage is GetKeyLastUsage's answer. Usage is nil when the key has
// not been used successfully since TrackingStart.
type KeyLastUsage struct {
	KeyID         string
	CreationDate  time.Time
	TrackingStart time.Time // the later of the service's tracking start and CreationDate
	Usage         *store.KeyUsage
}

// GetKeyLastUsage returns the key's last successful cryptographic use, the
// later of the buffered and the stored one. The key is named by ID or ARN
// only (an alias answers NotFoundException "Invalid keyId"). It succeeds in
// every key state.
func (s *Service) GetKeyLastUsage(ctx context.Context, ref string) (KeyLastUsage, error) {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "GetKeyLastUsage"})
	if err != nil {
		return KeyLastUsage{}, err
	}
	return s.lastUsageOf(ctx, k)
}

// lastUsageOf is GetKeyLastUsage's answer for k, without authorization.
func (s *Service) lastUsageOf(ctx context.Context, k *store.Key) (KeyLastUsage, error) {
	start, err := s.trackingStart(ctx, s.now())
	if err != nil {
		return KeyLastUsage{}, err
	}
	out := KeyLastUsage{KeyID: k.ID, CreationDate: k.CreatedAt, TrackingStart: start}
	if k.CreatedAt.After(start) {
		out.TrackingStart = k.CreatedAt
	}
	stored, err := s.cfg.Store.GetKeyUsage(ctx, k.ID)
	switch {
	case err == nil:
		out.Usage = &stored
	case !errors.Is(err, store.ErrNotFound):
		return KeyLastUsage{}, err
	}
	s.usage.mu.Lock()
	if p, ok := s.usage.pending[k.ID]; ok && (out.Usage == nil || p.Time.After(out.Usage.Time)) {
		out.Usage = &p
	}
	s.usage.mu.Unlock()
	return out, nil
}

// TrailingDaysWithoutKeyUsage is the condition key
// kms:TrailingDaysWithoutKeyUsage for u at now: whole days since the last
// use, or since the tracking start when there is none (which is the
// creation date for keys created after tracking began).
func TrailingDaysWithoutKeyUsage(u KeyLastUsage, now time.Time) int {
	since := u.TrackingStart
	if u.Usage != nil {
		since = u.Usage.Time
	}
	if !now.After(since) {
		return 0
	}
	return int(now.Sub(since) / (24 * time.Hour))
}

// usageCondition sets kms:TrailingDaysWithoutKeyUsage on r for the two
// operations it applies to, DisableKey and ScheduleKeyDeletion. If the
// usage cannot be read it claims use today (0 days): the condition key
// exists to refuse disabling recently used keys, so an unknown answer must
// not let that through.
func (s *Service) usageCondition(ctx context.Context, r *policy.Request, q authReq) {
	if q.key == nil || (q.action != "DisableKey" && q.action != "ScheduleKeyDeletion") {
		return
	}
	days := 0
	if u, err := s.lastUsageOf(ctx, q.key); err == nil {
		days = TrailingDaysWithoutKeyUsage(u, s.now())
	} else {
		s.cfg.Logger.Error("reading key usage for kms:TrailingDaysWithoutKeyUsage", "key_id", q.key.ID, "err", err)
	}
	r.Set("kms:TrailingDaysWithoutKeyUsage", strconv.Itoa(days))
}

// keyIDOf returns the key ID of arn if it is a key ARN of this service's
// Region and account, without building an ARN: it is on every tracked call.
func (s *Service) keyIDOf(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:kms:")
	if ok {
		rest, ok = strings.CutPrefix(rest, s.cfg.Region+":")
	}
	if ok {
		rest, ok = strings.CutPrefix(rest, s.cfg.AccountID+":key/")
	}
	return rest, ok
}
