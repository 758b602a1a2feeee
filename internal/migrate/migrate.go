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
//   - the kms service's secrets in the meta table ("material-id-key",
//     "import-token-key", sealed with their name as context).
//
// The contexts are those of packages kms and accesskey; the tests migrate a
// store the real services populated and decrypt with them afterwards.
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
// # Offline
//
// Run it with every server on the data stopped: a running server would
// keep sealing new values under the old key (verification then fails and
// names them; run again once it is stopped).
package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// The sealing contexts, as kms (material.go, import.go, secrets.go) and
// accesskey (accesskey.go) build them.
func materialContext(keyID, materialID string) string {
	return "key-material/" + keyID + "/" + materialID
}

func paramsContext(keyID, paramsID string) string { return "import-params/" + keyID + "/" + paramsID }

func secretContext(accessKeyID string) string { return "access-key-secret/" + accessKeyID }

// MetaSecrets are the meta entries that hold a value sealed under the root
// key, with their own name as context.
var MetaSecrets = []string{"material-id-key", "import-token-key"}

// Options are a migration's inputs.
type Options struct {
	Store store.Store
	Meta  Meta
	// From is the root key the data is sealed under now; nil if it is no
	// longer available, which is fine only if every value is already
	// sealed under To (a migration that finished re-sealing).
	From rootkey.RootKey
	// To is the new root key.
	To rootkey.RootKey
	// Progress, if set, receives a line of progress now and then.
	Progress func(string)

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
	rep Report
}

// pageSize is how many keys and users are listed at a time.
const pageSize = 100

// Run migrates the store from opt.From to opt.To (see the package
// documentation) and returns what it did. On error the store is
// consistent — every value opens under one of the two keys — and running
// again continues.
func Run(ctx context.Context, opt Options) (Report, error) {
	if opt.Store == nil || opt.Meta == nil || opt.To == nil {
		return Report{}, errors.New("migrate: Store, Meta and To are required")
	}
	if opt.From != nil && opt.From.ID() == opt.To.ID() {
		return Report{}, fmt.Errorf("migrate: the old and the new root key are the same (%s)", opt.To.ID())
	}
	m := &migrator{Options: opt}
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
	if err := m.metaSecrets(ctx); err != nil {
		return m.rep, err
	}
	m.progress("re-sealed %d values (%d were already under the new key) in %d keys and %d access keys; verifying",
		m.rep.Resealed, m.rep.Skipped, m.rep.Keys, m.rep.Credentials)
	if err := m.verify(ctx); err != nil {
		return m.rep, err
	}
	if !m.rep.AlreadyDone {
		if err := m.Meta.Swap(ctx, rootkey.KindMetaName, []byte(rootkey.MigratingPrefix+m.To.ID()), []byte(m.To.ID())); err != nil {
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
	kind, ok, err := m.Meta.Get(ctx, rootkey.KindMetaName)
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
		return errors.New("migrate: the old root key is needed (the data is not yet sealed under the new one)")
	case ok && k != m.From.ID():
		return fmt.Errorf("migrate: the data records its root key as %s, not %s (the old key given)", k, m.From.ID())
	}
	// Before marking the data, check that the old key is its key: it must
	// open the first service secret (if the store has served at all).
	if sealed, found, err := m.Meta.Get(ctx, MetaSecrets[0]); err != nil {
		return err
	} else if found {
		pt, err := m.From.Unseal(sealed, MetaSecrets[0])
		clear(pt)
		if err != nil {
			return fmt.Errorf("migrate: the old root key %s does not open this data (%v): give the data dir's own root.key", m.From.ID(), err)
		}
	}
	var old []byte
	if ok {
		old = kind
	}
	if err := m.Meta.Swap(ctx, rootkey.KindMetaName, old, []byte(rootkey.MigratingPrefix+to)); err != nil {
		return err
	}
	m.progress("migrating from %s to %s", m.From.ID(), to)
	return nil
}

// reseal returns sealed re-sealed under To, or nil if it is sealed under
// To already. The new value is checked to open to the same plaintext
// before it is returned.
func (m *migrator) reseal(sealed []byte, context string) ([]byte, error) {
	pt, err := rootkey.UnsealUncached(m.To, sealed, context)
	if err == nil {
		clear(pt)
		return nil, nil
	}
	if !errors.Is(err, rootkey.ErrUnseal) {
		return nil, fmt.Errorf("migrate: %s: new root key: %w", context, err)
	}
	if m.From == nil {
		return nil, fmt.Errorf("migrate: %s is not sealed under the new root key, and the old one was not given", context)
	}
	pt, err = m.From.Unseal(sealed, context)
	if err != nil {
		return nil, fmt.Errorf("migrate: %s does not unseal under the old root key %s either: %w", context, m.From.ID(), err)
	}
	defer clear(pt)
	out, err := m.To.Seal(pt, context)
	if err != nil {
		return nil, fmt.Errorf("migrate: %s: sealing under the new root key: %w", context, err)
	}
	check, err := rootkey.UnsealUncached(m.To, out, context)
	ok := err == nil && bytes.Equal(check, pt)
	clear(check)
	if !ok {
		return nil, fmt.Errorf("migrate: %s: the value sealed under the new root key does not unseal to the same plaintext (%v)", context, err)
	}
	return out, nil
}

// keys calls fn for every key, in ID order.
func (m *migrator) keys(ctx context.Context, fn func(context.Context, *store.Key) error) error {
	after := ""
	for {
		page, err := m.Store.ListKeys(ctx, after, pageSize)
		if err != nil {
			return err
		}
		for _, k := range page {
			if err := fn(ctx, k); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// sealedOf lists a key's sealed values: context → sealed bytes.
func sealedOf(k *store.Key) map[string][]byte {
	out := map[string][]byte{}
	for _, mat := range k.Materials {
		if !mat.Deleted && mat.Sealed != nil {
			out[materialContext(k.ID, mat.ID)] = mat.Sealed
		}
	}
	if k.Import != nil && k.Import.SealedPrivateKey != nil {
		out[paramsContext(k.ID, k.Import.ID)] = k.Import.SealedPrivateKey
	}
	return out
}

// errKeyChanged: the key changed between reading and updating it.
var errKeyChanged = errors.New("migrate: the key changed meanwhile")

// migrateKey re-seals one key's values and writes them in one UpdateKey,
// which replaces each value only if it is still the one re-sealed.
func (m *migrator) migrateKey(ctx context.Context, k *store.Key) error {
	for attempt := 0; ; attempt++ {
		resealed := map[string][2][]byte{} // context → old, new
		values := sealedOf(k)
		for c, sealed := range values {
			out, err := m.reseal(sealed, c)
			if err != nil {
				return err
			}
			if out != nil {
				resealed[c] = [2][]byte{sealed, out}
			}
		}
		m.rep.Skipped += len(values) - len(resealed)
		if len(resealed) == 0 {
			break
		}
		_, err := m.Store.UpdateKey(ctx, k.ID, func(cur *store.Key) error {
			swap := func(c string, p *[]byte) error {
				r, ok := resealed[c]
				switch {
				case !ok:
					return nil
				case !bytes.Equal(*p, r[0]):
					return errKeyChanged
				}
				*p = r[1]
				return nil
			}
			for i := range cur.Materials {
				mat := &cur.Materials[i]
				if !mat.Deleted && mat.Sealed != nil {
					if err := swap(materialContext(cur.ID, mat.ID), &mat.Sealed); err != nil {
						return err
					}
				}
			}
			if cur.Import != nil && cur.Import.SealedPrivateKey != nil {
				return swap(paramsContext(cur.ID, cur.Import.ID), &cur.Import.SealedPrivateKey)
			}
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil // deleted meanwhile
		}
		if errors.Is(err, errKeyChanged) && attempt < 3 {
			m.rep.Skipped -= len(values) - len(resealed)
			if k, err = m.Store.GetKey(ctx, k.ID); errors.Is(err, store.ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("migrate: key %s: %w", k.ID, err)
		}
		m.rep.Resealed += len(resealed)
		break
	}
	m.rep.Keys++
	if m.rep.Keys%pageSize == 0 {
		m.progress("keys: %d done", m.rep.Keys)
	}
	if m.afterKey != nil {
		return m.afterKey(m.rep.Keys)
	}
	return nil
}

// credentials calls fn for every access key: the account root's, then
// every user's.
func (m *migrator) credentials(ctx context.Context, fn func(context.Context, store.Credential) error) error {
	each := func(user string) error {
		creds, err := m.Store.ListCredentials(ctx, user)
		if err != nil {
			return err
		}
		for _, c := range creds {
			if err := fn(ctx, c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := each(""); err != nil {
		return err
	}
	after := ""
	for {
		users, err := m.Store.ListUsers(ctx, after, pageSize)
		if err != nil {
			return err
		}
		for _, u := range users {
			if err := each(u.Name); err != nil {
				return err
			}
		}
		if len(users) < pageSize {
			return nil
		}
		after = users[len(users)-1].Name
	}
}

func (m *migrator) migrateCredential(ctx context.Context, c store.Credential) error {
	for attempt := 0; ; attempt++ {
		out, err := m.reseal(c.SealedSecret, secretContext(c.AccessKeyID))
		if err != nil {
			return err
		}
		if out == nil {
			m.rep.Skipped++
			break
		}
		// Store has no compare-and-swap for credentials: read it again
		// just before writing, to narrow the window for a concurrent
		// change (there should be none: the servers are stopped).
		cur, err := m.Store.GetCredential(ctx, c.AccessKeyID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(cur.SealedSecret, c.SealedSecret) {
			if attempt >= 3 {
				return fmt.Errorf("migrate: access key %s keeps changing: is a server running on this data?", c.AccessKeyID)
			}
			c = cur
			continue
		}
		cur.SealedSecret = out
		if err := m.Store.PutCredential(ctx, cur); err != nil {
			return fmt.Errorf("migrate: access key %s: %w", c.AccessKeyID, err)
		}
		m.rep.Resealed++
		break
	}
	m.rep.Credentials++
	return nil
}

func (m *migrator) metaSecrets(ctx context.Context) error {
	for _, name := range MetaSecrets {
		sealed, ok, err := m.Meta.Get(ctx, name)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		out, err := m.reseal(sealed, name)
		if err != nil {
			return err
		}
		if out == nil {
			m.rep.Skipped++
			continue
		}
		if err := m.Meta.Swap(ctx, name, sealed, out); err != nil {
			return err
		}
		m.rep.Resealed++
	}
	return nil
}

// verify unseals every sealed value of the store with the new key.
func (m *migrator) verify(ctx context.Context) error {
	var failed []string
	check := func(sealed []byte, c string) error {
		pt, err := rootkey.UnsealUncached(m.To, sealed, c)
		clear(pt)
		switch {
		case err == nil:
			m.rep.Verified++
		case errors.Is(err, rootkey.ErrUnseal):
			failed = append(failed, c)
		default:
			return err
		}
		return nil
	}
	err := m.keys(ctx, func(_ context.Context, k *store.Key) error {
		for c, sealed := range sealedOf(k) {
			if err := check(sealed, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = m.credentials(ctx, func(_ context.Context, c store.Credential) error {
		return check(c.SealedSecret, secretContext(c.AccessKeyID))
	})
	if err != nil {
		return err
	}
	for _, name := range MetaSecrets {
		sealed, ok, err := m.Meta.Get(ctx, name)
		if err != nil {
			return err
		}
		if ok {
			if err := check(sealed, name); err != nil {
				return err
			}
		}
	}
	if len(failed) > 0 {
		shown := failed
		if len(shown) > 10 {
			shown = shown[:10]
		}
		return fmt.Errorf("migrate: verification failed: %d sealed values do not unseal under the new root key (%s%s); was a server running on this data? Stop it and run the migration again",
			len(failed), strings.Join(shown, ", "), map[bool]string{true: ", …"}[len(failed) > 10])
	}
	return nil
}
