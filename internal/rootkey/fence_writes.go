// The writes a fenced store checks before passing them on (see Fence).

package rootkey

import (
	"context"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

func (f *fencedStore) CreateKey(ctx context.Context, k *store.Key) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.CreateKey(ctx, k)
}

func (f *fencedStore) UpdateKey(ctx context.Context, id string, fn func(*store.Key) error) (*store.Key, error) {
	if err := f.check(ctx); err != nil {
		return nil, err
	}
	return f.Store.UpdateKey(ctx, id, fn)
}

func (f *fencedStore) DeleteKey(ctx context.Context, id string) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.DeleteKey(ctx, id)
}

func (f *fencedStore) CreateAlias(ctx context.Context, a store.Alias) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.CreateAlias(ctx, a)
}

func (f *fencedStore) UpdateAlias(ctx context.Context, name, keyID string, now time.Time) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.UpdateAlias(ctx, name, keyID, now)
}

func (f *fencedStore) DeleteAlias(ctx context.Context, name string) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.DeleteAlias(ctx, name)
}

func (f *fencedStore) PutCredential(ctx context.Context, c store.Credential) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.PutCredential(ctx, c)
}

func (f *fencedStore) InitMeta(ctx context.Context, name string, value []byte) ([]byte, error) {
	if err := f.check(ctx); err != nil {
		return nil, err
	}
	return f.Store.InitMeta(ctx, name, value)
}

func (f *fencedStore) CreateUser(ctx context.Context, u store.User) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.CreateUser(ctx, u)
}

func (f *fencedStore) UpdateUser(ctx context.Context, name string, fn func(*store.User) error) (store.User, error) {
	if err := f.check(ctx); err != nil {
		return store.User{}, err
	}
	return f.Store.UpdateUser(ctx, name, fn)
}

func (f *fencedStore) DeleteUser(ctx context.Context, name string) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.DeleteUser(ctx, name)
}

func (f *fencedStore) CreateCredential(ctx context.Context, c store.Credential, limit int) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.CreateCredential(ctx, c, limit)
}

func (f *fencedStore) SetCredentialStatus(ctx context.Context, accessKeyID, status string) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.SetCredentialStatus(ctx, accessKeyID, status)
}

func (f *fencedStore) DeleteCredential(ctx context.Context, accessKeyID string) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.DeleteCredential(ctx, accessKeyID)
}

func (f *fencedStore) CreateGrant(ctx context.Context, g store.Grant) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.CreateGrant(ctx, g)
}

func (f *fencedStore) DeleteGrant(ctx context.Context, keyID, grantID string) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.DeleteGrant(ctx, keyID, grantID)
}

func (f *fencedStore) CreateLoginProfile(ctx context.Context, p store.LoginProfile) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.CreateLoginProfile(ctx, p)
}

func (f *fencedStore) UpdateLoginProfile(ctx context.Context, userName string, fn func(*store.LoginProfile) error) (store.LoginProfile, error) {
	if err := f.check(ctx); err != nil {
		return store.LoginProfile{}, err
	}
	return f.Store.UpdateLoginProfile(ctx, userName, fn)
}

func (f *fencedStore) DeleteLoginProfile(ctx context.Context, userName string) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.DeleteLoginProfile(ctx, userName)
}

// Custom key stores hold the XKS proxy's secret sealed under the root key:
// a fenced node must not seal a new one under its old key.

func (f *fencedStore) CreateCustomKeyStore(ctx context.Context, c *store.CustomKeyStore) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.CreateCustomKeyStore(ctx, c)
}

func (f *fencedStore) UpdateCustomKeyStore(ctx context.Context, id string, fn func(*store.CustomKeyStore) error) (*store.CustomKeyStore, error) {
	if err := f.check(ctx); err != nil {
		return nil, err
	}
	return f.Store.UpdateCustomKeyStore(ctx, id, fn)
}

func (f *fencedStore) DeleteCustomKeyStore(ctx context.Context, id string) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	return f.Store.DeleteCustomKeyStore(ctx, id)
}
