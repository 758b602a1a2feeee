package kms

import (
	"context"
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// Names of the service-wide secrets kept (sealed under the root key) in the
// store's meta table.
const (
	materialIDSecretName  = rootkey.MaterialIDSecret
	importTokenSecretName = rootkey.ImportTokenSecret
)

// serviceSecret returns the 32-byte secret stored under name, creating it
// if the store has none yet. The first node to start fixes the value for
// every node sharing the store.
func serviceSecret(ctx context.Context, st store.Store, rk rootkey.RootKey, random io.Reader, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := io.ReadFull(random, fresh); err != nil {
		return nil, err
	}
	defer clear(fresh)
	sealed, err := rk.Seal(fresh, name)
	if err != nil {
		return nil, err
	}
	stored, err := st.InitMeta(ctx, name, sealed)
	if err != nil {
		return nil, err
	}
	secret, err := rk.Unseal(stored, name)
	if err != nil {
		return nil, fmt.Errorf("kms: cannot unseal the service secret %q (is this the data's root key?): %w", name, err)
	}
	return secret, nil
}
