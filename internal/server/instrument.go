package server

import (
	"context"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/metrics"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// registerCaches exposes the hit and miss counts of the service's and the
// keyring's caches.
func registerCaches(m *metrics.Server, svc *kms.Service, keys *accesskey.Keyring) {
	m.AddCache("key", func() (uint64, uint64) { s := svc.CacheStats(); return s.KeyHits, s.KeyMisses })
	m.AddCache("alias", func() (uint64, uint64) { s := svc.CacheStats(); return s.AliasHits, s.AliasMisses })
	m.AddCache("material", func() (uint64, uint64) { s := svc.CacheStats(); return s.MaterialHits, s.MaterialMisses })
	m.AddCache("access_key", keys.CacheStats)
}

// timedRootKey times Seal and Unseal.
type timedRootKey struct {
	rootkey.RootKey
	seal, unseal *metrics.Histogram
}

func timeRootKey(rk rootkey.RootKey, m *metrics.Server) rootkey.RootKey {
	return &timedRootKey{RootKey: rk, seal: m.RootKeyTimer("seal"), unseal: m.RootKeyTimer("unseal")}
}

func (t *timedRootKey) Seal(plaintext []byte, context string) ([]byte, error) {
	defer observeSince(t.seal, time.Now())
	return t.RootKey.Seal(plaintext, context)
}

func (t *timedRootKey) Unseal(sealed []byte, context string) ([]byte, error) {
	defer observeSince(t.unseal, time.Now())
	return t.RootKey.Unseal(sealed, context)
}

func observeSince(h *metrics.Histogram, start time.Time) { h.Observe(time.Since(start)) }

// timedStore times every Store method, labelled with the method's name.
// Methods added to the interface later pass through untimed until added
// here.
type timedStore struct {
	store.Store
	h map[string]*metrics.Histogram
}

var storeMethods = []string{
	"CreateKey", "GetKey", "UpdateKey", "DeleteKey", "ListKeys", "KeysDue",
	"CreateAlias", "GetAlias", "UpdateAlias", "DeleteAlias", "ListAliases",
	"PutCredential", "GetCredential", "InitMeta",
	"CreateUser", "GetUser", "UpdateUser", "DeleteUser", "ListUsers", "ListCredentials", "DeleteCredential",
	"CreateCredential", "SetCredentialStatus",
	"CreateGrant", "GetGrant", "ListGrants", "ListRetirableGrants", "DeleteGrant",
	"CreateLoginProfile", "GetLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile",
	"CreateCustomKeyStore", "GetCustomKeyStore", "ListCustomKeyStores", "UpdateCustomKeyStore", "DeleteCustomKeyStore",
	"PutKeyUsages", "GetKeyUsage",
}

func timeStore(st store.Store, m *metrics.Server) store.Store {
	t := &timedStore{Store: st, h: make(map[string]*metrics.Histogram, len(storeMethods))}
	for _, name := range storeMethods {
		t.h[name] = m.StoreTimer(name)
	}
	return t
}

func (t *timedStore) done(method string, start time.Time) { t.h[method].Observe(time.Since(start)) }

func (t *timedStore) CreateKey(ctx context.Context, k *store.Key) error {
	defer t.done("CreateKey", time.Now())
	return t.Store.CreateKey(ctx, k)
}

func (t *timedStore) GetKey(ctx context.Context, id string) (*store.Key, error) {
	defer t.done("GetKey", time.Now())
	return t.Store.GetKey(ctx, id)
}

func (t *timedStore) UpdateKey(ctx context.Context, id string, fn func(*store.Key) error) (*store.Key, error) {
	defer t.done("UpdateKey", time.Now())
	return t.Store.UpdateKey(ctx, id, fn)
}

func (t *timedStore) DeleteKey(ctx context.Context, id string) error {
	defer t.done("DeleteKey", time.Now())
	return t.Store.DeleteKey(ctx, id)
}

func (t *timedStore) ListKeys(ctx context.Context, after string, limit int) ([]*store.Key, error) {
	defer t.done("ListKeys", time.Now())
	return t.Store.ListKeys(ctx, after, limit)
}

func (t *timedStore) KeysDue(ctx context.Context, now time.Time, limit int) ([]string, error) {
	defer t.done("KeysDue", time.Now())
	return t.Store.KeysDue(ctx, now, limit)
}

func (t *timedStore) CreateAlias(ctx context.Context, a store.Alias) error {
	defer t.done("CreateAlias", time.Now())
	return t.Store.CreateAlias(ctx, a)
}

func (t *timedStore) GetAlias(ctx context.Context, name string) (store.Alias, error) {
	defer t.done("GetAlias", time.Now())
	return t.Store.GetAlias(ctx, name)
}

func (t *timedStore) UpdateAlias(ctx context.Context, name, keyID string, now time.Time) error {
	defer t.done("UpdateAlias", time.Now())
	return t.Store.UpdateAlias(ctx, name, keyID, now)
}

func (t *timedStore) DeleteAlias(ctx context.Context, name string) error {
	defer t.done("DeleteAlias", time.Now())
	return t.Store.DeleteAlias(ctx, name)
}

func (t *timedStore) ListAliases(ctx context.Context, keyID, after string, limit int) ([]store.Alias, error) {
	defer t.done("ListAliases", time.Now())
	return t.Store.ListAliases(ctx, keyID, after, limit)
}

func (t *timedStore) PutCredential(ctx context.Context, c store.Credential) error {
	defer t.done("PutCredential", time.Now())
	return t.Store.PutCredential(ctx, c)
}

func (t *timedStore) GetCredential(ctx context.Context, accessKeyID string) (store.Credential, error) {
	defer t.done("GetCredential", time.Now())
	return t.Store.GetCredential(ctx, accessKeyID)
}

func (t *timedStore) InitMeta(ctx context.Context, name string, value []byte) ([]byte, error) {
	defer t.done("InitMeta", time.Now())
	return t.Store.InitMeta(ctx, name, value)
}

func (t *timedStore) CreateUser(ctx context.Context, u store.User) error {
	defer t.done("CreateUser", time.Now())
	return t.Store.CreateUser(ctx, u)
}

func (t *timedStore) GetUser(ctx context.Context, name string) (store.User, error) {
	defer t.done("GetUser", time.Now())
	return t.Store.GetUser(ctx, name)
}

func (t *timedStore) UpdateUser(ctx context.Context, name string, fn func(*store.User) error) (store.User, error) {
	defer t.done("UpdateUser", time.Now())
	return t.Store.UpdateUser(ctx, name, fn)
}

func (t *timedStore) DeleteUser(ctx context.Context, name string) error {
	defer t.done("DeleteUser", time.Now())
	return t.Store.DeleteUser(ctx, name)
}

func (t *timedStore) ListUsers(ctx context.Context, after string, limit int) ([]store.User, error) {
	defer t.done("ListUsers", time.Now())
	return t.Store.ListUsers(ctx, after, limit)
}

func (t *timedStore) ListCredentials(ctx context.Context, userName string) ([]store.Credential, error) {
	defer t.done("ListCredentials", time.Now())
	return t.Store.ListCredentials(ctx, userName)
}

func (t *timedStore) DeleteCredential(ctx context.Context, accessKeyID string) error {
	defer t.done("DeleteCredential", time.Now())
	return t.Store.DeleteCredential(ctx, accessKeyID)
}

func (t *timedStore) CreateCredential(ctx context.Context, c store.Credential, limit int) error {
	defer t.done("CreateCredential", time.Now())
	return t.Store.CreateCredential(ctx, c, limit)
}

func (t *timedStore) SetCredentialStatus(ctx context.Context, accessKeyID, status string) error {
	defer t.done("SetCredentialStatus", time.Now())
	return t.Store.SetCredentialStatus(ctx, accessKeyID, status)
}

func (t *timedStore) CreateGrant(ctx context.Context, g store.Grant) error {
	defer t.done("CreateGrant", time.Now())
	return t.Store.CreateGrant(ctx, g)
}

func (t *timedStore) GetGrant(ctx context.Context, keyID, grantID string) (store.Grant, error) {
	defer t.done("GetGrant", time.Now())
	return t.Store.GetGrant(ctx, keyID, grantID)
}

func (t *timedStore) ListGrants(ctx context.Context, keyID, after string, limit int) ([]store.Grant, error) {
	defer t.done("ListGrants", time.Now())
	return t.Store.ListGrants(ctx, keyID, after, limit)
}

func (t *timedStore) ListRetirableGrants(ctx context.Context, principal, afterKeyID, afterGrantID string, limit int) ([]store.Grant, error) {
	defer t.done("ListRetirableGrants", time.Now())
	return t.Store.ListRetirableGrants(ctx, principal, afterKeyID, afterGrantID, limit)
}

func (t *timedStore) DeleteGrant(ctx context.Context, keyID, grantID string) error {
	defer t.done("DeleteGrant", time.Now())
	return t.Store.DeleteGrant(ctx, keyID, grantID)
}

func (t *timedStore) CreateLoginProfile(ctx context.Context, p store.LoginProfile) error {
	defer t.done("CreateLoginProfile", time.Now())
	return t.Store.CreateLoginProfile(ctx, p)
}

func (t *timedStore) GetLoginProfile(ctx context.Context, userName string) (store.LoginProfile, error) {
	defer t.done("GetLoginProfile", time.Now())
	return t.Store.GetLoginProfile(ctx, userName)
}

func (t *timedStore) UpdateLoginProfile(ctx context.Context, userName string, fn func(*store.LoginProfile) error) (store.LoginProfile, error) {
	defer t.done("UpdateLoginProfile", time.Now())
	return t.Store.UpdateLoginProfile(ctx, userName, fn)
}

func (t *timedStore) DeleteLoginProfile(ctx context.Context, userName string) error {
	defer t.done("DeleteLoginProfile", time.Now())
	return t.Store.DeleteLoginProfile(ctx, userName)
}

func (t *timedStore) CreateCustomKeyStore(ctx context.Context, c *store.CustomKeyStore) error {
	defer t.done("CreateCustomKeyStore", time.Now())
	return t.Store.CreateCustomKeyStore(ctx, c)
}

func (t *timedStore) GetCustomKeyStore(ctx context.Context, id string) (*store.CustomKeyStore, error) {
	defer t.done("GetCustomKeyStore", time.Now())
	return t.Store.GetCustomKeyStore(ctx, id)
}

func (t *timedStore) ListCustomKeyStores(ctx context.Context, after string, limit int) ([]*store.CustomKeyStore, error) {
	defer t.done("ListCustomKeyStores", time.Now())
	return t.Store.ListCustomKeyStores(ctx, after, limit)
}

func (t *timedStore) UpdateCustomKeyStore(ctx context.Context, id string, fn func(*store.CustomKeyStore) error) (*store.CustomKeyStore, error) {
	defer t.done("UpdateCustomKeyStore", time.Now())
	return t.Store.UpdateCustomKeyStore(ctx, id, fn)
}

func (t *timedStore) DeleteCustomKeyStore(ctx context.Context, id string) error {
	defer t.done("DeleteCustomKeyStore", time.Now())
	return t.Store.DeleteCustomKeyStore(ctx, id)
}

func (t *timedStore) PutKeyUsages(ctx context.Context, us []store.KeyUsage) error {
	defer t.done("PutKeyUsages", time.Now())
	return t.Store.PutKeyUsages(ctx, us)
}

func (t *timedStore) GetKeyUsage(ctx context.Context, keyID string) (store.KeyUsage, error) {
	defer t.done("GetKeyUsage", time.Now())
	return t.Store.GetKeyUsage(ctx, keyID)
}
