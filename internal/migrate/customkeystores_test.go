package migrate

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// TestMigrateCustomKeyStoreSecret: an external key store's proxy secret
// is re-sealed under the new root key, verified, and no longer opens under
// the old one.
func TestMigrateCustomKeyStoreSecret(t *testing.T) {
	dir := t.TempDir()
	from, _ := rootkey.OpenSoftware(filepath.Join(dir, "root.key"))
	to, _ := rootkey.OpenSoftware(filepath.Join(t.TempDir(), "new.key"))
	f := populate(t, dir, from, 1)
	const id, secret = "cks-0123456789abcdef0", "hVbNvZJ8Bi0y8HXYjnN2i2dOm4ezaHmUAaSMDGuPB9E="
	ctxName := rootkey.XksProxySecretContext(id)
	sealed, err := from.Seal([]byte(secret), ctxName)
	if err != nil {
		t.Fatal(err)
	}
	st := f.open(t)
	err = st.CreateCustomKeyStore(context.Background(), &store.CustomKeyStore{ID: id, Name: "xks", Type: "EXTERNAL_KEY_STORE",
		ConnectionState: "DISCONNECTED", CreatedAt: time.Now().UTC(), XksProxyAccessKeyID: "AKIAXKSPROXYTEST2345", SealedXksProxySecret: sealed})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runMigration(t, f, from, to, nil); err != nil {
		t.Fatal(err)
	}
	st = f.open(t)
	defer st.Close()
	c, err := st.GetCustomKeyStore(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := to.Unseal(c.SealedXksProxySecret, ctxName); err != nil || string(got) != secret {
		t.Fatalf("the new key opens the proxy secret as %q, %v", got, err)
	}
	if _, err := from.Unseal(c.SealedXksProxySecret, ctxName); !errors.Is(err, rootkey.ErrUnseal) {
		t.Fatalf("the old key still opens the proxy secret: %v", err)
	}
}
