package store

import (
	"context"
	"time"
)

// KeyUsage is the last successful cryptographic use of a KMS key, as
// GetKeyLastUsage reports it.
type KeyUsage struct {
	KeyID     string
	Operation string    // one of the KeyLastUsageTrackingOperation values
	Time      time.Time // when the operation succeeded
	RequestID string    // the x-amzn-RequestId of that call
	EventID   string    // the audit record's eventID of that call
}

// LastUsageStore keeps each key's last usage. Writes come in batches from
// an in-memory buffer (the hot path never writes), so the store is the
// place that decides between concurrent writers: the usage with the later
// Time wins, whichever node or flush writes last.
type LastUsageStore interface {
	// PutKeyUsages records each usage unless the one stored for its key is
	// not earlier (equal times keep the stored one, so a batch written
	// twice changes nothing). Usages of keys that do not exist are
	// skipped, not refused: a key may be deleted between its use and the
	// flush. A key's usage is deleted with the key.
	PutKeyUsages(ctx context.Context, us []KeyUsage) error
	// GetKeyUsage returns the key's last usage. ErrNotFound if none is
	// recorded (or the key does not exist).
	GetKeyUsage(ctx context.Context, keyID string) (KeyUsage, error)
}
