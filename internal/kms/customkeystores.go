package kms

import (
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
)

// Custom key stores (AWS's CreateCustomKeyStore family), of type
// EXTERNAL_KEY_STORE only: an external key store reached through an XKS
// proxy over its public endpoint. AWS_CLOUDHSM stores are answered as AWS
// answers when the named CloudHSM cluster does not exist: Trent has none.
//
// Connection states: a store is created DISCONNECTED; ConnectCustomKeyStore
// asks the proxy for its health and sets CONNECTED, or FAILED with AWS's
// ConnectionErrorCode, before it returns (AWS answers at once and connects
// asynchronously through CONNECTING; Trent's check takes at most the 250 ms
// proxy budget, so it is done in the call); DisconnectCustomKeyStore sets
// DISCONNECTED. Keys in a store that is not CONNECTED are Unavailable.
//
// These are account-level actions, authorized like CreateKey: by the
// caller's IAM policies on resource "*".

// maxCustomKeyStores is AWS's quota of custom key stores per account and
// Region.
const maxCustomKeyStores = 10

// XksProxyCredential is the credential KMS signs proxy requests with.
type XksProxyCredential struct {
	AccessKeyID string
	Secret      string // RawSecretAccessKey; never logged, stored sealed
}

// CustomKeyStoreInput holds CreateCustomKeyStore's and
// UpdateCustomKeyStore's parameters after wire validation. For an update,
// an empty field (nil Credential) keeps the current value.
type CustomKeyStoreInput struct {
	Name                   string
	Type                   string // default AWS_CLOUDHSM, as AWS
	CloudHsmClusterID      string
	TrustAnchorCertificate string
	KeyStorePassword       string
	Connectivity           string
	URIEndpoint            string
	URIPath                string
	VpcEndpointServiceName string
	VpcEndpointServiceOwn  string
	Credential             *XksProxyCredential
}

// CreateCustomKeyStore creates an external key store after checking that
// its proxy answers GetHealthStatus with the given credential. The store
// starts DISCONNECTED.
func (s *Service) CreateCustomKeyStore(ctx context.Context, in CustomKeyStoreInput) (*store.CustomKeyStore, error) {
	if err := s.authorize(ctx, authReq{action: "CreateCustomKeyStore"}); err != nil {
		return nil, err
	}
	if in.Type == "" || in.Type == TypeCloudHSM {
		return nil, cloudHSMError(in.CloudHsmClusterID)
	}
	if in.CloudHsmClusterID != "" || in.TrustAnchorCertificate != "" || in.KeyStorePassword != "" {
		return nil, newError(ErrValidation, "CloudHsmClusterId, TrustAnchorCertificate and KeyStorePassword are not valid for a custom key store of type EXTERNAL_KEY_STORE.")
	}
	switch {
	case in.Connectivity == "":
		return nil, newError(ErrValidation, "XksProxyConnectivity is required for a custom key store of type EXTERNAL_KEY_STORE.")
	case in.URIEndpoint == "":
		return nil, newError(ErrValidation, "XksProxyUriEndpoint is required for a custom key store of type EXTERNAL_KEY_STORE.")
	case in.URIPath == "":
		return nil, newError(ErrValidation, "XksProxyUriPath is required for a custom key store of type EXTERNAL_KEY_STORE.")
	case in.Credential == nil:
		return nil, newError(ErrValidation, "XksProxyAuthenticationCredential is required for a custom key store of type EXTERNAL_KEY_STORE.")
	}
	if err := checkConnectivity(in.Connectivity, in.VpcEndpointServiceName); err != nil {
		return nil, err
	}
	if err := checkEndpoint(in.URIEndpoint); err != nil {
		return nil, err
	}
	cs := s.cfg.Store
	all, err := allCustomKeyStores(ctx, cs)
	if err != nil {
		return nil, err
	}
	if len(all) >= maxCustomKeyStores {
		return nil, newError(ErrLimitExceeded, "You have reached the maximum number of custom key stores (%d) in this account and Region.", maxCustomKeyStores)
	}
	if err := checkUnique(all, "", in.Name, in.URIEndpoint, in.URIPath); err != nil {
		return nil, err
	}
	id, err := s.newCustomKeyStoreID()
	if err != nil {
		return nil, err
	}
	c := &store.CustomKeyStore{
		ID: id, Name: in.Name, Type: TypeExternalKeyStore,
		ConnectionState: ConnDisconnected, CreatedAt: s.now(),
		XksProxyURIEndpoint: in.URIEndpoint, XksProxyURIPath: in.URIPath, XksProxyConnectivity: in.Connectivity,
		XksProxyAccessKeyID: in.Credential.AccessKeyID,
	}
	if err := s.checkHealth(ctx, c, in.Credential.Secret, "CreateCustomKeyStore"); err != nil {
		return nil, err
	}
	if c.SealedXksProxySecret, err = s.cfg.RootKey.Seal([]byte(in.Credential.Secret), rootkey.XksProxySecretContext(c.ID)); err != nil {
		return nil, err
	}
	if err := cs.CreateCustomKeyStore(ctx, c); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, nameInUse(in.Name)
		}
		return nil, err
	}
	return c, nil
}

// UpdateCustomKeyStore changes a store's name, credential, path, endpoint
// or connectivity. As AWS: the name, the credential and the path may
// change in any connection state; the endpoint and the connectivity only
// while DISCONNECTED. A change of the proxy's settings is checked with
// GetHealthStatus under the new values before it is stored.
func (s *Service) UpdateCustomKeyStore(ctx context.Context, id string, in CustomKeyStoreInput) error {
	if err := s.authorize(ctx, authReq{action: "UpdateCustomKeyStore"}); err != nil {
		return err
	}
	c, cs, err := s.getCustomKeyStore(ctx, id)
	if err != nil {
		return err
	}
	if in.CloudHsmClusterID != "" || in.KeyStorePassword != "" {
		return newError(ErrValidation, "CloudHsmClusterId and KeyStorePassword are not valid for a custom key store of type EXTERNAL_KEY_STORE.")
	}
	next := *c
	if in.Name != "" {
		next.Name = in.Name
	}
	proxyChange := in.URIEndpoint != "" || in.URIPath != "" || in.Credential != nil || in.Connectivity != ""
	if in.URIEndpoint != "" || in.Connectivity != "" || in.VpcEndpointServiceName != "" {
		if c.ConnectionState != ConnDisconnected {
			return invalidConnState(c, "UpdateCustomKeyStore")
		}
	}
	if in.Connectivity != "" {
		next.XksProxyConnectivity = in.Connectivity
	}
	if err := checkConnectivity(next.XksProxyConnectivity, in.VpcEndpointServiceName); err != nil {
		return err
	}
	if in.URIEndpoint != "" {
		if err := checkEndpoint(in.URIEndpoint); err != nil {
			return err
		}
		next.XksProxyURIEndpoint = in.URIEndpoint
	}
	if in.URIPath != "" {
		next.XksProxyURIPath = in.URIPath
	}
	all, err := allCustomKeyStores(ctx, cs)
	if err != nil {
		return err
	}
	// The endpoint and path must be unique only if they change.
	uriPath := ""
	if in.URIEndpoint != "" || in.URIPath != "" {
		uriPath = next.XksProxyURIPath
	}
	if err := checkUnique(all, c.ID, in.Name, next.XksProxyURIEndpoint, uriPath); err != nil {
		return err
	}
	secret := ""
	if proxyChange {
		if in.Credential != nil {
			next.XksProxyAccessKeyID, secret = in.Credential.AccessKeyID, in.Credential.Secret
		} else if secret, err = s.proxySecret(c); err != nil {
			return err
		}
		if err := s.checkHealth(ctx, &next, secret, "UpdateCustomKeyStore"); err != nil {
			return err
		}
	}
	var sealed []byte
	if in.Credential != nil {
		if sealed, err = s.cfg.RootKey.Seal([]byte(secret), rootkey.XksProxySecretContext(c.ID)); err != nil {
			return err
		}
	}
	_, err = cs.UpdateCustomKeyStore(ctx, c.ID, func(cur *store.CustomKeyStore) error {
		if cur.ConnectionState != ConnDisconnected && (in.URIEndpoint != "" || in.Connectivity != "") {
			return invalidConnState(cur, "UpdateCustomKeyStore") // it was connected meanwhile
		}
		cur.Name, cur.XksProxyConnectivity = next.Name, next.XksProxyConnectivity
		cur.XksProxyURIEndpoint, cur.XksProxyURIPath = next.XksProxyURIEndpoint, next.XksProxyURIPath
		if sealed != nil {
			cur.XksProxyAccessKeyID, cur.SealedXksProxySecret = next.XksProxyAccessKeyID, sealed
		}
		return nil
	})
	if errors.Is(err, store.ErrExists) {
		return nameInUse(in.Name)
	}
	return s.storeErr(id, err)
}

// DeleteCustomKeyStore deletes a DISCONNECTED store that holds no keys
// (not even keys pending deletion).
func (s *Service) DeleteCustomKeyStore(ctx context.Context, id string) error {
	if err := s.authorize(ctx, authReq{action: "DeleteCustomKeyStore"}); err != nil {
		return err
	}
	c, cs, err := s.getCustomKeyStore(ctx, id)
	if err != nil {
		return err
	}
	if c.ConnectionState != ConnDisconnected {
		return invalidConnState(c, "DeleteCustomKeyStore")
	}
	err = cs.DeleteCustomKeyStore(ctx, c.ID)
	if errors.Is(err, store.ErrHasKeys) {
		return newError(ErrCustomKeyStoreHasCMKs, "Custom key store %s contains KMS keys. Delete them before deleting the custom key store.", c.ID)
	}
	return s.storeErr(id, err)
}

// DescribeCustomKeyStores returns the store named by id or name, or a page
// of all stores in ID order and the marker of the next page.
func (s *Service) DescribeCustomKeyStores(ctx context.Context, id, name, marker string, limit int) ([]*store.CustomKeyStore, string, error) {
	if err := s.authorize(ctx, authReq{action: "DescribeCustomKeyStores"}); err != nil {
		return nil, "", err
	}
	cs := s.cfg.Store
	switch {
	case id != "" && name != "":
		return nil, "", newError(ErrValidation, "You cannot specify both CustomKeyStoreId and CustomKeyStoreName.")
	case id != "":
		c, _, err := s.getCustomKeyStore(ctx, id)
		if err != nil {
			return nil, "", err
		}
		return []*store.CustomKeyStore{c}, "", nil
	case name != "":
		all, err := allCustomKeyStores(ctx, cs)
		if err != nil {
			return nil, "", err
		}
		for _, c := range all {
			if c.Name == name {
				return []*store.CustomKeyStore{c}, "", nil
			}
		}
		return nil, "", newError(ErrCustomKeyStoreAbsent, "Custom key store with name '%s' does not exist", name)
	}
	after, err := decodeMarker(markerCustomKeyStores, marker)
	if err != nil {
		return nil, "", err
	}
	limit = pageLimit(limit, 1000)
	page, err := cs.ListCustomKeyStores(ctx, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(page) > limit {
		page = page[:limit]
		next = encodeMarker(markerCustomKeyStores, page[limit-1].ID)
	}
	return page, next, nil
}

const markerCustomKeyStores = "c"
