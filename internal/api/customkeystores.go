package api

import (
	"context"
	"net"
	"net/url"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/wire"
)

// handleEndpoint is handle for the two inputs with an XksProxyUriEndpoint:
// the model's pattern allows no port, Trent allows one (private
// deployments, tests; the core checks the endpoint), so the port is set
// aside while the model's validation runs.
func handleEndpoint[In any, P interface {
	*In
	wire.Validator
}](h *Handler, endpoint func(P) *string, fn func(ctx context.Context, in P) (any, error)) operation {
	return func(ctx context.Context, body []byte) (any, error) {
		in := P(new(In))
		if err := wire.Decode(body, in); err != nil {
			return nil, err
		}
		ep := endpoint(in)
		full := *ep
		*ep = withoutPort(full)
		err := in.Validate()
		*ep = full
		if err != nil {
			return nil, err
		}
		return fn(ctx, in)
	}
}

// withoutPort returns https://host for https://host:port; anything else
// unchanged.
func withoutPort(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.Port() == "" || u.Path != "" {
		return endpoint
	}
	host, _, err := net.SplitHostPort(u.Host)
	if err != nil {
		return endpoint
	}
	return "https://" + host
}

func credential(c *wire.XksProxyAuthenticationCredentialType) *kms.XksProxyCredential {
	if c == nil {
		return nil
	}
	return &kms.XksProxyCredential{AccessKeyID: c.AccessKeyId, Secret: c.RawSecretAccessKey}
}

func (h *Handler) createCustomKeyStore(ctx context.Context, in *wire.CreateCustomKeyStoreRequest) (any, error) {
	c, err := h.cfg.KMS.CreateCustomKeyStore(ctx, kms.CustomKeyStoreInput{
		Name: in.CustomKeyStoreName, Type: in.CustomKeyStoreType,
		CloudHsmClusterID: in.CloudHsmClusterId, TrustAnchorCertificate: in.TrustAnchorCertificate, KeyStorePassword: in.KeyStorePassword,
		Connectivity: in.XksProxyConnectivity, URIEndpoint: in.XksProxyUriEndpoint, URIPath: in.XksProxyUriPath,
		VpcEndpointServiceName: in.XksProxyVpcEndpointServiceName, VpcEndpointServiceOwn: in.XksProxyVpcEndpointServiceOwner,
		Credential: credential(in.XksProxyAuthenticationCredential),
	})
	if err != nil {
		return nil, err
	}
	return &wire.CreateCustomKeyStoreResponse{CustomKeyStoreId: c.ID}, nil
}

func (h *Handler) updateCustomKeyStore(ctx context.Context, in *wire.UpdateCustomKeyStoreRequest) (any, error) {
	return &wire.UpdateCustomKeyStoreResponse{}, h.cfg.KMS.UpdateCustomKeyStore(ctx, in.CustomKeyStoreId, kms.CustomKeyStoreInput{
		Name: in.NewCustomKeyStoreName, CloudHsmClusterID: in.CloudHsmClusterId, KeyStorePassword: in.KeyStorePassword,
		Connectivity: in.XksProxyConnectivity, URIEndpoint: in.XksProxyUriEndpoint, URIPath: in.XksProxyUriPath,
		VpcEndpointServiceName: in.XksProxyVpcEndpointServiceName, VpcEndpointServiceOwn: in.XksProxyVpcEndpointServiceOwner,
		Credential: credential(in.XksProxyAuthenticationCredential),
	})
}

func (h *Handler) deleteCustomKeyStore(ctx context.Context, in *wire.DeleteCustomKeyStoreRequest) (any, error) {
	return &wire.DeleteCustomKeyStoreResponse{}, h.cfg.KMS.DeleteCustomKeyStore(ctx, in.CustomKeyStoreId)
}

func (h *Handler) connectCustomKeyStore(ctx context.Context, in *wire.ConnectCustomKeyStoreRequest) (any, error) {
	return &wire.ConnectCustomKeyStoreResponse{}, h.cfg.KMS.ConnectCustomKeyStore(ctx, in.CustomKeyStoreId)
}

func (h *Handler) disconnectCustomKeyStore(ctx context.Context, in *wire.DisconnectCustomKeyStoreRequest) (any, error) {
	return &wire.DisconnectCustomKeyStoreResponse{}, h.cfg.KMS.DisconnectCustomKeyStore(ctx, in.CustomKeyStoreId)
}

func (h *Handler) describeCustomKeyStores(ctx context.Context, in *wire.DescribeCustomKeyStoresRequest) (any, error) {
	page, next, err := h.cfg.KMS.DescribeCustomKeyStores(ctx, in.CustomKeyStoreId, in.CustomKeyStoreName, in.Marker, limit(in.Limit))
	if err != nil {
		return nil, err
	}
	out := &wire.DescribeCustomKeyStoresResponse{CustomKeyStores: make([]wire.CustomKeyStoresListEntry, 0, len(page))}
	for _, c := range page {
		out.CustomKeyStores = append(out.CustomKeyStores, customKeyStoreEntry(c))
	}
	out.Truncated, out.NextMarker = truncated(next)
	return out, nil
}

// customKeyStoreEntry renders a store as AWS's CustomKeyStoresListEntry:
// never the secret, and ConnectionErrorCode only while FAILED.
func customKeyStoreEntry(c *store.CustomKeyStore) wire.CustomKeyStoresListEntry {
	e := wire.CustomKeyStoresListEntry{
		CustomKeyStoreId: c.ID, CustomKeyStoreName: c.Name, CustomKeyStoreType: c.Type,
		ConnectionState: c.ConnectionState, CreationDate: wire.NewTimestamp(c.CreatedAt),
		XksProxyConfiguration: &wire.XksProxyConfigurationType{
			Connectivity: c.XksProxyConnectivity, AccessKeyId: c.XksProxyAccessKeyID,
			UriEndpoint: c.XksProxyURIEndpoint, UriPath: c.XksProxyURIPath,
			VpcEndpointServiceName: c.XksProxyVpcEndpointServiceName,
		},
	}
	if c.ConnectionState == kms.ConnFailed {
		e.ConnectionErrorCode = c.ConnectionErrorCode
	}
	return e
}
