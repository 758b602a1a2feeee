package store

import (
	"context"
	"errors"
)

// Migrator is the optional part of a Store that a root-key migration
// (package migrate, `trent admin migrate-root-key`) needs beyond Store:
// the service secrets in the meta table are re-sealed and the data's root
// key recorded there, which InitMeta (first writer wins) cannot do; an
// access key's sealed secret is replaced only if it is still the value
// re-sealed, which PutCredential cannot ensure; and replaced rows are
// purged from the database files. Both backends implement it; callers
// test for it with a type assertion.
//
// Nodes read the recorded root key with GetMeta to fence themselves off
// once the data is sealed under another root key (rootkey.Fence).
type Migrator interface {
	// GetMeta returns the value stored under name, or ok false if there
	// is none.
	GetMeta(ctx context.Context, name string) (value []byte, ok bool, err error)
	// SwapMeta stores value under name if the value stored is old (old
	// nil: no value stored), atomically. ErrValueChanged if it is not.
	SwapMeta(ctx context.Context, name string, old, value []byte) error
	// SwapCredentialSecret replaces the sealed secret of the access key if
	// it is old, atomically, leaving every other field as it is.
	// ErrNotFound if the access key is absent, ErrValueChanged if its
	// secret is not old.
	SwapCredentialSecret(ctx context.Context, accessKeyID string, old, sealed []byte) error
	// Scrub makes the database drop what it keeps of replaced rows, so
	// that values sealed under an old root key do not linger in its
	// files: VACUUM and a truncating WAL checkpoint for SQLite, VACUUM
	// FULL of the tables holding sealed values for PostgreSQL (whose WAL
	// archive and backups still hold them). It may block other users of
	// the database while it runs.
	Scrub(ctx context.Context) error
}

// ErrValueChanged is returned by Migrator's compare-and-swap methods when
// the stored value is not the one the caller expected.
var ErrValueChanged = errors.New("store: the stored value changed meanwhile")
