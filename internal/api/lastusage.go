package api

import (
	"context"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/wire"
)

// getKeyLastUsage answers with the bare key ID, as AWS's examples show,
// and KeyLastUsage as an empty object when the key has not been used
// since tracking began.
func (h *Handler) getKeyLastUsage(ctx context.Context, in *wire.GetKeyLastUsageRequest) (any, error) {
	u, err := h.cfg.KMS.GetKeyLastUsage(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	out := &wire.GetKeyLastUsageResponse{
		KeyId:             u.KeyID,
		KeyCreationDate:   wire.NewTimestamp(u.CreationDate),
		TrackingStartDate: wire.NewTimestamp(u.TrackingStart),
		KeyLastUsage:      &wire.KeyLastUsageData{},
	}
	if u.Usage != nil {
		out.KeyLastUsage = &wire.KeyLastUsageData{
			Operation:         u.Usage.Operation,
			Timestamp:         wire.NewTimestamp(u.Usage.Time),
			CloudTrailEventId: u.Usage.EventID,
			KmsRequestId:      u.Usage.RequestID,
		}
	}
	return out, nil
}

// recordKeyUsage is called with the audit record of every call: a
// successful tracked operation counts as the use of the keys it touched.
// It is here, once, rather than in each operation, because only here are
// success, the request ID and the audit event ID all known. It fixes the
// record's event ID so that GetKeyLastUsage's CloudTrailEventId names it.
func (h *Handler) recordKeyUsage(x *frontdoor.Exchange, rec *audit.Record) {
	if x.Failed() || !kms.KeyUsageTracked(x.Op) {
		return
	}
	trace, ok := x.State.(*kms.Trace)
	if !ok || trace == nil {
		return
	}
	if rec.EventID == "" {
		rec.EventID = audit.NewEventID()
	}
	h.cfg.KMS.RecordKeyUsage(trace, x.Op, x.ID, rec.EventID, rec.EventTime)
}
