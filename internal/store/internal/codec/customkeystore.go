package codec

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// customKeyStoreDoc is the JSON document of a custom key store's fields
// that have no column of their own (ID, Name and Version do). Its tags are
// the stored format: renaming a Go field must not change them.
type customKeyStoreDoc struct {
	Type                           string    `json:"type"`
	ConnectionState                string    `json:"connectionState"`
	ConnectionErrorCode            string    `json:"connectionErrorCode,omitempty"`
	CreatedAt                      time.Time `json:"createdAt"`
	XksProxyURIEndpoint            string    `json:"xksProxyUriEndpoint,omitempty"`
	XksProxyURIPath                string    `json:"xksProxyUriPath,omitempty"`
	XksProxyConnectivity           string    `json:"xksProxyConnectivity,omitempty"`
	XksProxyVpcEndpointServiceName string    `json:"xksProxyVpcEndpointServiceName,omitempty"`
	XksProxyAccessKeyID            string    `json:"xksProxyAccessKeyId,omitempty"`
	SealedXksProxySecret           []byte    `json:"sealedXksProxySecret,omitempty"`
}

// EncodeCustomKeyStore returns the JSON document stored for c: every field
// but ID, Name and Version, with CreatedAt in UTC.
func EncodeCustomKeyStore(c *store.CustomKeyStore) (string, error) {
	b, err := json.Marshal(customKeyStoreDoc{
		Type:                           c.Type,
		ConnectionState:                c.ConnectionState,
		ConnectionErrorCode:            c.ConnectionErrorCode,
		CreatedAt:                      c.CreatedAt.UTC(),
		XksProxyURIEndpoint:            c.XksProxyURIEndpoint,
		XksProxyURIPath:                c.XksProxyURIPath,
		XksProxyConnectivity:           c.XksProxyConnectivity,
		XksProxyVpcEndpointServiceName: c.XksProxyVpcEndpointServiceName,
		XksProxyAccessKeyID:            c.XksProxyAccessKeyID,
		SealedXksProxySecret:           c.SealedXksProxySecret,
	})
	if err != nil {
		return "", fmt.Errorf("encode custom key store document: %w", err)
	}
	return string(b), nil
}

// DecodeCustomKeyStore returns the custom key store with these columns and
// a document written by [EncodeCustomKeyStore].
func DecodeCustomKeyStore(id, name string, version int64, doc []byte) (*store.CustomKeyStore, error) {
	var d customKeyStoreDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("decode custom key store document: %w", err)
	}
	return &store.CustomKeyStore{
		ID:                             id,
		Name:                           name,
		Type:                           d.Type,
		ConnectionState:                d.ConnectionState,
		ConnectionErrorCode:            d.ConnectionErrorCode,
		CreatedAt:                      d.CreatedAt.UTC(),
		XksProxyURIEndpoint:            d.XksProxyURIEndpoint,
		XksProxyURIPath:                d.XksProxyURIPath,
		XksProxyConnectivity:           d.XksProxyConnectivity,
		XksProxyVpcEndpointServiceName: d.XksProxyVpcEndpointServiceName,
		XksProxyAccessKeyID:            d.XksProxyAccessKeyID,
		SealedXksProxySecret:           d.SealedXksProxySecret,
		Version:                        version,
	}, nil
}
