// Fencing: a node whose root key is no longer the data's stops writing.

package rootkey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// FenceInterval bounds how stale a fenced store's view of the data's root
// key may be: a write re-reads it (one small SELECT) when the last read is
// older than this. A migration waits FenceWait after marking the data
// before re-sealing anything, so that every node still on the old key has
// seen the mark and stopped writing by then.
const FenceInterval = 2 * time.Second

// FenceWait is how long `trent admin migrate-root-key` waits, on a shared
// (PostgreSQL) store, between marking the data as migrating and
// re-sealing: two FenceIntervals, so that a write admitted just before
// the mark has committed too.
const FenceWait = 2 * FenceInterval

// ErrFenced is wrapped by the errors of writes a fenced store refuses.
var ErrFenced = errors.New("rootkey: this node's root key no longer seals this data")

// Fence returns st wrapped so that every write is refused (with an error
// wrapping ErrFenced, which the API answers as KMSInternalException) once
// the data's recorded root key (meta KindMetaName, see CheckKind) is no
// longer rk's ID: a migration to another root key has started
// (MigratingPrefix) or finished. Reads are not fenced: what this node can
// still unseal stays readable until it is restarted with the new key.
//
// Why: with several nodes on one PostgreSQL store, a node still running
// on the old root key after `trent admin migrate-root-key` would seal new
// secrets (a new key's material) under the old key; once restarted with
// the new key, those would not unseal ("sealed value does not
// authenticate"). Fencing makes such writes fail instead.
//
// The check reads the recorded key at most every FenceInterval (the
// migration waits FenceWait after marking the data, so that every node
// sees the mark before values are re-sealed; a write that slips through
// anyway is caught by the migration's verification, which then fails and
// is run again). st must implement store.Migrator (for GetMeta); if it
// does not, Fence returns st unchanged. A store with no recorded root key
// is not fenced (CheckKind records it at start).
func Fence(st store.Store, rk RootKey) store.Store {
	m, ok := st.(store.Migrator)
	if !ok {
		return st
	}
	return &fencedStore{Store: st, meta: m, id: []byte(rk.ID()), now: time.Now}
}

// fencedStore is Fence's Store. It embeds the backend, so reads (and any
// method it does not list) go straight through.
type fencedStore struct {
	store.Store
	meta store.Migrator
	id   []byte
	now  func() time.Time

	mu      sync.Mutex
	checked time.Time // when kind was last read; zero: never
	kind    []byte    // the recorded root key then (nil: none)
	found   bool
}

// check returns nil if this node's root key is still the data's.
func (f *fencedStore) check(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.checked.IsZero() || f.now().Sub(f.checked) >= FenceInterval {
		kind, found, err := f.meta.GetMeta(ctx, KindMetaName)
		if err != nil {
			return fmt.Errorf("rootkey: reading the data's root key: %w", err)
		}
		f.kind, f.found, f.checked = kind, found, f.now()
	}
	if !f.found || bytes.Equal(f.kind, f.id) {
		return nil
	}
	k := string(f.kind)
	if to, ok := strings.CutPrefix(k, MigratingPrefix); ok {
		return fmt.Errorf("%w: a migration of the root key from %s to %s is running; writes are refused until this node is restarted with --root-key naming the new key", ErrFenced, f.id, to)
	}
	return fmt.Errorf("%w: the data is sealed under %s now, not %s: restart this node with --root-key naming that key (see `trent admin root-key show`)", ErrFenced, k, f.id)
}
