// Package migrate moves a Trent store from one root key to another — in
// practice from the software root key (the data dir's root.key) to an HSM
// root key — by re-sealing every secret the store holds sealed:
//
//   - every key's materials (Key.Materials[].Sealed, context
//     "key-material/<keyID>/<materialID>") and outstanding import
//     parameters (Key.Import.SealedPrivateKey, "import-params/<keyID>/<paramsID>"),
//     one key per Store.UpdateKey transaction;
//   - every access key's secret (Credential.SealedSecret,
//     "access-key-secret/<accessKeyID>"), of the account root and of every
//     user;
//   - every external key store's XKS proxy secret
//     (CustomKeyStore.SealedXksProxySecret, "xks-proxy-secret/<storeID>"),
//     by a compare-and-swap in Store.UpdateCustomKeyStore;
//   - the kms service's secrets in the meta table ("material-id-key",
//     "import-token-key", sealed with their name as context).
//
// The contexts are rootkey's (contexts.go), which packages kms and accesskey
// seal with; the tests migrate a store the real services populated and
// decrypt with them afterwards. The migration works through the store
// contract: Store, and store.Migrator for what only it needs (meta values,
// compare-and-swap of an access key's secret, scrubbing replaced rows).
//
// # Resumable
//
// A value that already unseals under the new key is left alone, so a
// migration that stopped (crash, interrupt, HSM unreachable) is completed
// by running it again. While it runs the store's root-key-kind meta entry
// says so (rootkey.MigratingPrefix), and rootkey.CheckKind refuses to start
// a server on the data. The service secrets are re-sealed last, so that an
// interrupted migration leaves the data openable by the old key plus the
// new one only where already done.
//
// # Verified
//
// Each re-sealed value is unsealed with the new key and compared with the
// plaintext before it is written. When every record is done, every sealed
// value of the store is unsealed again with the new key (bypassing its
// cache, see rootkey.UnsealUncached); only if all of them open is the new
// key recorded as the data's root key (root-key-kind = its ID).
//
// # Servers on the data
//
// Run it with every server on the data stopped: a running server would
// keep sealing new values under the old key. With the embedded store the
// data dir's lock (package datadir) makes sure of it. With a shared
// PostgreSQL store, nodes fence themselves (rootkey.Fence): once the data
// is marked as migrating, a node still on the old key refuses writes; the
// migration waits Options.FenceWait after marking, so that every node has
// seen the mark before anything is re-sealed. A write that slipped through
// anyway fails verification, which names it; run again.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// Options are a migration's inputs.
type Options struct {
	// Store is the store to migrate; it must implement store.Migrator.
	Store store.Store
	// From is the root key the data is sealed under now; nil if it is no
	// longer available, which is fine only if every value is already
	// sealed under To (a migration that finished re-sealing).
	From rootkey.RootKey
	// To is the new root key.
	To rootkey.RootKey
	// Progress, if set, receives a line of progress now and then.
	Progress func(string)
	// FenceWait is how long to wait after marking the data as migrating
	// before re-sealing, for nodes sharing the store to see the mark
	// (rootkey.FenceWait); 0 for a store no server can be using.
	FenceWait time.Duration

	// afterKey, for tests, is called after each key; an error stops the
	// migration there, as a crash would.
	afterKey func(done int) error
}

// Report counts what a migration did.
type Report struct {
	Keys        int // keys visited
	Credentials int // access keys visited
	Resealed    int // values re-sealed under the new key by this run
	Skipped     int // values found already sealed under the new key
	Verified    int // values verified to unseal under the new key
	// AlreadyDone: the store already recorded To as its root key.
	AlreadyDone bool
}

type migrator struct {
	Options
	meta store.Migrator
	rep  Report
}

// pageSize is how many keys and users are listed at a time.
const pageSize = 100

// Run migrates the store from opt.From to opt.To (see the package
// documentation) and returns what it did. On error the store is
// consistent — every value opens under one of the two keys — and running
// again continues.
func Run(ctx context.Context, opt Options) (Report, error) {
	if opt.Store == nil || opt.To == nil {
		return Report{}, errors.New("migrate: Store and To are required")
	}
	meta, ok := opt.Store.(store.Migrator)
	if !ok {
		return Report{}, fmt.Errorf("migrate: the store (%T) does not implement store.Migrator", opt.Store)
	}
	if opt.From != nil && opt.From.ID() == opt.To.ID() {
		return Report{}, fmt.Errorf("migrate: the old and the new root key are the same (%s)", opt.To.ID())
	}
	m := &migrator{Options: opt, meta: meta}
	if err := m.start(ctx); err != nil {
		return m.rep, err
	}
	m.progress("re-sealing under %s", m.To.ID())
	if err := m.keys(ctx, m.migrateKey); err != nil {
		return m.rep, err
	}
	if err := m.credentials(ctx, m.migrateCredential); err != nil {
		return m.rep, err
	}
	if err := m.customKeyStores(ctx, m.migrateCustomKeyStore); err != nil {
		return m.rep, err
	}
	if err := m.metaSecrets(ctx); err != nil {
		return m.rep, err
	}
	m.progress("re-sealed %d values (%d were already under the new key) in %d keys and %d access keys; verifying",
		m.rep.Resealed, m.rep.Skipped, m.rep.Keys, m.rep.Credentials)
	if err := m.verify(ctx); err != nil {
		return m.rep, err
	}
	if !m.rep.AlreadyDone {
		if err := m.meta.SwapMeta(ctx, rootkey.KindMetaName, []byte(rootkey.MigratingPrefix+m.To.ID()), []byte(m.To.ID())); err != nil {
			return m.rep, err
		}
	}
	m.progress("verified %d sealed values; the data's root key is now %s", m.rep.Verified, m.To.ID())
	return m.rep, nil
}

func (m *migrator) progress(format string, args ...any) {
	if m.Progress != nil {
		m.Progress(fmt.Sprintf(format, args...))
	}
}

// start checks the recorded root key and marks the migration as started.
func (m *migrator) start(ctx context.Context) error {
	kind, ok, err := m.meta.GetMeta(ctx, rootkey.KindMetaName)
	if err != nil {
		return err
	}
	k, to := string(kind), m.To.ID()
	switch {
	case ok && k == to:
		m.rep.AlreadyDone = true
		m.progress("the store already records %s as its root key; checking that everything is sealed under it", to)
		return nil
	case ok && k == rootkey.MigratingPrefix+to:
		m.progress("resuming the migration to %s", to)
		return nil
	case ok && strings.HasPrefix(k, rootkey.MigratingPrefix):
		return fmt.Errorf("migrate: a migration to another root key (%s) was started on this data: finish it with that key first", strings.TrimPrefix(k, rootkey.MigratingPrefix))
	case m.From == nil:
		return fmt.Errorf("migrate: %w, and the data is not yet sealed under the new one: %s", ErrNoOldKey, oldKeyHint)
	case ok && k != m.From.ID():
		return fmt.Errorf("migrate: the data records its root key as %s, not %s (the old key given with --from-key, or the data dir's root.key)", k, m.From.ID())
	}
	// Before marking the data, check that the old key is its key: it must
	// open the first service secret (if the store has served at all).
	if sealed, found, err := m.meta.GetMeta(ctx, rootkey.MaterialIDSecret); err != nil {
		return err
	} else if found {
		pt, err := m.From.Unseal(sealed, rootkey.MaterialIDSecret)
		clear(pt)
		if err != nil {
			return fmt.Errorf("migrate: the old root key %s does not open this data (%v): give the data dir's own root.key (--from-key FILE)", m.From.ID(), err)
		}
	}
	var old []byte
	if ok {
		old = kind
	}
	if err := m.meta.SwapMeta(ctx, rootkey.KindMetaName, old, []byte(rootkey.MigratingPrefix+to)); err != nil {
		if errors.Is(err, store.ErrValueChanged) {
			return fmt.Errorf("migrate: the data's root key record changed meanwhile (is another migration running?): %w", err)
		}
		return err
	}
	m.progress("migrating from %s to %s", m.From.ID(), to)
	if m.FenceWait > 0 {
		// Nodes on the old key re-read the record at least every
		// rootkey.FenceInterval and then refuse writes.
		m.progress("waiting %s for every node on the old root key to see the migration and stop writing", m.FenceWait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(m.FenceWait):
		}
	}
	return nil
}
