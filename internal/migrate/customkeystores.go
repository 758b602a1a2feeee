package migrate

import (
	"bytes"
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// customKeyStores calls fn for every custom key store that holds a sealed
// XKS proxy secret.
func (m *migrator) customKeyStores(ctx context.Context, fn func(context.Context, *store.CustomKeyStore) error) error {
	after := ""
	for {
		cs, err := m.Store.ListCustomKeyStores(ctx, after, pageSize)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if len(c.SealedXksProxySecret) == 0 {
				continue
			}
			if err := fn(ctx, c); err != nil {
				return err
			}
		}
		if len(cs) < pageSize {
			return nil
		}
		after = cs[len(cs)-1].ID
	}
}

// errSecretChanged stops UpdateCustomKeyStore when the secret is no longer
// the one re-sealed (an UpdateCustomKeyStore of a server raced us).
var errSecretChanged = errors.New("migrate: the proxy secret changed meanwhile")

// migrateCustomKeyStore re-seals a custom key store's XKS proxy secret
// and writes it only if the stored secret is still the one re-sealed; the
// store's update is a compare-and-swap under its transaction.
func (m *migrator) migrateCustomKeyStore(ctx context.Context, c *store.CustomKeyStore) error {
	out, err := m.reseal(c.SealedXksProxySecret, rootkey.XksProxySecretContext(c.ID))
	if err != nil {
		return err
	}
	if out == nil {
		m.rep.Skipped++
		return nil
	}
	_, err = m.Store.UpdateCustomKeyStore(ctx, c.ID, func(cur *store.CustomKeyStore) error {
		if !bytes.Equal(cur.SealedXksProxySecret, c.SealedXksProxySecret) {
			return errSecretChanged
		}
		cur.SealedXksProxySecret = out
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil // deleted meanwhile
	case errors.Is(err, errSecretChanged):
		// Sealed by a server since: under the new key if it was fenced
		// correctly, which verification checks.
		return nil
	case err != nil:
		return err
	}
	m.rep.Resealed++
	return nil
}
