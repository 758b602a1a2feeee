package server

import (
	"log/slog"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/kms"
)

// serviceEventRecorder records the service's own changes — deletions at
// the end of a window, expiry of imported material — as CloudTrail records
// them: AwsServiceEvent, invoked by kms.amazonaws.com.
func serviceEventRecorder(trail *audit.Log, cfg Config, log *slog.Logger) func(kms.Event) {
	return func(e kms.Event) {
		rec := &audit.Record{
			EventTime:          time.Now().UTC(),
			EventSource:        audit.SourceKMS,
			EventName:          e.Name,
			AWSRegion:          cfg.Region,
			EventType:          audit.EventTypeServiceEvent,
			UserIdentity:       audit.UserIdentity{AccountID: cfg.AccountID, InvokedBy: audit.SourceKMS},
			Resources:          []audit.Resource{{AccountID: cfg.AccountID, Type: audit.KeyResourceType, ARN: e.KeyARN}},
			RecipientAccountID: cfg.AccountID,
			ManagementEvent:    true,
		}
		if err := trail.Write(rec); err != nil {
			log.Error("AUDIT LOG WRITE FAILED: a service event is not recorded", "event", e.Name, "err", err)
		}
	}
}
