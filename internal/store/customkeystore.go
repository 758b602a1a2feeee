package store

import (
	"context"
	"fmt"
	"time"
)

// ErrHasKeys: DeleteCustomKeyStore refused a custom key store that still
// holds KMS keys (Key.CustomKeyStoreID). It wraps ErrConflict.
var ErrHasKeys = fmt.Errorf("%w: custom key store has keys", ErrConflict)

// XksKeyInUseError: CreateKey refused a key of an external key store
// whose XksKeyID another key of the same store (KeyID) already uses. It
// wraps ErrConflict.
type XksKeyInUseError struct{ KeyID string }

func (e *XksKeyInUseError) Error() string {
	return "store: the external key is used by key " + e.KeyID + " of the same custom key store"
}

func (e *XksKeyInUseError) Unwrap() error { return ErrConflict }

// CustomKeyStore is a custom key store of the account: for Trent, an
// external key store (type EXTERNAL_KEY_STORE) reached through an XKS
// proxy. Timestamps are UTC.
type CustomKeyStore struct {
	ID   string // "cks-" and 17 lower-case hex digits
	Name string // unique in the account, compared exactly
	Type string // EXTERNAL_KEY_STORE (AWS_CLOUDHSM is refused by the core)

	ConnectionState     string // CONNECTED, CONNECTING, DISCONNECTED, DISCONNECTING, FAILED
	ConnectionErrorCode string // set while FAILED (AWS's codes)
	CreatedAt           time.Time

	// The XKS proxy: where it is and how KMS signs its requests to it.
	XksProxyURIEndpoint            string // https://host[:port]
	XksProxyURIPath                string // [/prefix]/kms/xks/v1
	XksProxyConnectivity           string // PUBLIC_ENDPOINT or VPC_ENDPOINT_SERVICE
	XksProxyVpcEndpointServiceName string
	XksProxyAccessKeyID            string
	// SealedXksProxySecret is the proxy's secret access key, sealed under
	// the root key: SigV4 signing needs the secret itself.
	SealedXksProxySecret []byte

	// Version is assigned by the store: 1 on create, incremented by every
	// update; its value on input is ignored.
	Version int64
}

// CustomKeyStoreStore holds custom key stores. Every Store implements it.
type CustomKeyStoreStore interface {
	// CreateCustomKeyStore inserts c and sets c.Version. ErrExists if the
	// ID or the name is taken.
	CreateCustomKeyStore(ctx context.Context, c *CustomKeyStore) error
	// GetCustomKeyStore returns a copy. ErrNotFound if absent.
	GetCustomKeyStore(ctx context.Context, id string) (*CustomKeyStore, error)
	// ListCustomKeyStores returns up to limit stores with ID greater than
	// after, in ascending ID order.
	ListCustomKeyStores(ctx context.Context, after string, limit int) ([]*CustomKeyStore, error)
	// UpdateCustomKeyStore atomically applies fn to a copy of the store and
	// writes it (fn must not change the ID). ErrExists if fn renamed it to
	// a name that is taken; ErrNotFound if absent; fn's error is returned
	// unchanged.
	UpdateCustomKeyStore(ctx context.Context, id string, fn func(*CustomKeyStore) error) (*CustomKeyStore, error)
	// DeleteCustomKeyStore removes the store, in one transaction with the
	// check that no key names it (ErrHasKeys). ErrNotFound if absent.
	DeleteCustomKeyStore(ctx context.Context, id string) error
}
