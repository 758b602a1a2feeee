package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

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
			out[rootkey.MaterialContext(k.ID, mat.ID)] = mat.Sealed
		}
	}
	if k.Import != nil && k.Import.SealedPrivateKey != nil {
		out[rootkey.ImportParamsContext(k.ID, k.Import.ID)] = k.Import.SealedPrivateKey
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
					if err := swap(rootkey.MaterialContext(cur.ID, mat.ID), &mat.Sealed); err != nil {
						return err
					}
				}
			}
			if cur.Import != nil && cur.Import.SealedPrivateKey != nil {
				return swap(rootkey.ImportParamsContext(cur.ID, cur.Import.ID), &cur.Import.SealedPrivateKey)
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
