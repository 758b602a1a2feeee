package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/rootkey"
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

// migrateCredential re-seals an access key's secret and swaps it in only
// if it is still the value re-sealed (a concurrent change is read again).
func (m *migrator) migrateCredential(ctx context.Context, c store.Credential) error {
	for attempt := 0; ; attempt++ {
		sc := rootkey.AccessKeySecretContext(c.AccessKeyID)
		out, err := m.reseal(c.SealedSecret, sc)
		if err != nil {
			return err
		}
		if out == nil {
			m.rep.Skipped++
			break
		}
		err = m.meta.SwapCredentialSecret(ctx, c.AccessKeyID, c.SealedSecret, out)
		if errors.Is(err, store.ErrNotFound) {
			return nil // deleted meanwhile
		}
		if errors.Is(err, store.ErrValueChanged) {
			if attempt >= 3 {
				return fmt.Errorf("migrate: access key %s keeps changing: is a server running on this data?", c.AccessKeyID)
			}
			if c, err = m.Store.GetCredential(ctx, c.AccessKeyID); errors.Is(err, store.ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("migrate: access key %s: %w", c.AccessKeyID, err)
		}
		m.rep.Resealed++
		break
	}
	m.rep.Credentials++
	return nil
}

func (m *migrator) metaSecrets(ctx context.Context) error {
	for _, name := range rootkey.ServiceSecrets() {
		sealed, ok, err := m.meta.GetMeta(ctx, name)
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
		if err := m.meta.SwapMeta(ctx, name, sealed, out); err != nil {
			return err
		}
		m.rep.Resealed++
	}
	return nil
}
