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

// oldKeyHint says how `trent admin migrate-root-key` is given the old
// root key.
const oldKeyHint = "give it with --from-key FILE: the software root key file, the data dir's root.key, or root.key.migrated if an earlier run already retired it"

// ErrNoOldKey is wrapped by Run's error when a value is not sealed under
// the new root key and Options.From is nil.
var ErrNoOldKey = errors.New("the old root key was not given")

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
		return nil, fmt.Errorf("migrate: %s is not sealed under the new root key, and %w: %s", context, ErrNoOldKey, oldKeyHint)
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
		return check(c.SealedSecret, rootkey.AccessKeySecretContext(c.AccessKeyID))
	})
	if err != nil {
		return err
	}
	err = m.customKeyStores(ctx, func(_ context.Context, c *store.CustomKeyStore) error {
		return check(c.SealedXksProxySecret, rootkey.XksProxySecretContext(c.ID))
	})
	if err != nil {
		return err
	}
	for _, name := range rootkey.ServiceSecrets() {
		sealed, ok, err := m.meta.GetMeta(ctx, name)
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
