package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/store"
)

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
