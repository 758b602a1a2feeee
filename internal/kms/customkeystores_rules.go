package kms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/trent-kms/trent/internal/store"
)

// The rules custom key stores are checked against: uniqueness,
// connectivity, the endpoint's form, connection states; and their IDs.

// checkUnique applies AWS's uniqueness rules against every store but
// self: the name, and the endpoint with the path.
func checkUnique(all []*store.CustomKeyStore, self, name, endpoint, path string) error {
	for _, c := range all {
		if c.ID == self {
			continue
		}
		if name != "" && c.Name == name {
			return nameInUse(name)
		}
		if path != "" && strings.EqualFold(c.XksProxyURIEndpoint, endpoint) && c.XksProxyURIPath == path {
			return newError(ErrXksProxyURIInUse, "The XksProxyUriEndpoint and XksProxyUriPath %s%s are already associated with custom key store %s.", endpoint, path, c.ID)
		}
	}
	return nil
}

func nameInUse(name string) error {
	return newError(ErrCustomKeyStoreNameInUse, "Custom key store name '%s' is already in use.", name)
}

// checkConnectivity accepts PUBLIC_ENDPOINT. Trent has no Amazon VPC, so
// a VPC endpoint service is never found.
func checkConnectivity(connectivity, vpcService string) error {
	switch {
	case connectivity == ConnectivityVPC:
		return newError(ErrXksProxyVpcEndpointSvcNotFound, "KMS cannot find the VPC endpoint service %s: this server has no Amazon VPC.", vpcService)
	case vpcService != "":
		return newError(ErrValidation, "XksProxyVpcEndpointServiceName is valid only with XksProxyConnectivity VPC_ENDPOINT_SERVICE.")
	}
	return nil
}

// checkEndpoint accepts https://host[:port]. AWS demands a public FQDN on
// the default port; Trent also accepts a port and names such as
// "localhost", for private deployments and tests.
func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err == nil && u.Scheme == "https" && u.Host != "" && u.Path == "" && u.RawQuery == "" && u.User == nil && u.Fragment == "" {
		host, port, err := net.SplitHostPort(u.Host)
		if err != nil {
			host, port = u.Host, ""
		}
		if n, perr := strconv.Atoi(port); host != "" && (port == "" || perr == nil && n > 0 && n < 65536) {
			return nil
		}
	}
	return newError(ErrValidation, "XksProxyUriEndpoint %q must be https:// followed by a host name and an optional port.", endpoint)
}

// cloudHSMError is the answer to every request for an AWS_CLOUDHSM key
// store: Trent has no CloudHSM cluster, which AWS answers with
// CloudHsmClusterNotFoundException.
func cloudHSMError(clusterID string) error {
	if clusterID == "" {
		return newError(ErrValidation, "CloudHsmClusterId is required for a custom key store of type AWS_CLOUDHSM.")
	}
	return newError(ErrCloudHsmClusterNotFound, "AWS CloudHSM cluster %s not found: this server has no CloudHSM clusters.", clusterID)
}

func invalidConnState(c *store.CustomKeyStore, op string) error {
	return newError(ErrCustomKeyStoreInvalidState, "Custom key store %s has connection state %s, which is not valid for %s.", c.ID, c.ConnectionState, op)
}

// newCustomKeyStoreID returns "cks-" and 17 random lower-case hex digits.
func (s *Service) newCustomKeyStoreID() (string, error) {
	var b [9]byte
	if _, err := io.ReadFull(s.cfg.Rand, b[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("cks-%x", b)[:4+17], nil
}

// CheckRandomSource answers GenerateRandom's CustomKeyStoreId: AWS
// generates in the CloudHSM cluster of an AWS_CLOUDHSM store and refuses
// an external key store (UnsupportedOperationException); Trent has only
// external ones.
func (s *Service) CheckRandomSource(ctx context.Context, id string) error {
	if err := s.authorize(ctx, authReq{action: "GenerateRandom"}); err != nil {
		return err
	}
	c, _, err := s.getCustomKeyStore(ctx, id)
	if err != nil {
		return err
	}
	return newError(ErrUnsupported, "Custom key store %s is an external key store: GenerateRandom accepts only the ID of an AWS CloudHSM key store.", c.ID)
}

// getCustomKeyStore returns store id, or CustomKeyStoreNotFoundException.
func (s *Service) getCustomKeyStore(ctx context.Context, id string) (*store.CustomKeyStore, store.CustomKeyStoreStore, error) {
	cs := s.cfg.Store
	c, err := cs.GetCustomKeyStore(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, customKeyStoreNotFound(id)
	}
	return c, cs, err
}

func customKeyStoreNotFound(id string) error {
	return newError(ErrCustomKeyStoreAbsent, "Custom key store '%s' does not exist", id)
}

// storeErr maps the store's ErrNotFound for store id.
func (s *Service) storeErr(id string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return customKeyStoreNotFound(id)
	}
	return err
}

func allCustomKeyStores(ctx context.Context, cs store.CustomKeyStoreStore) ([]*store.CustomKeyStore, error) {
	var out []*store.CustomKeyStore
	after := ""
	for {
		page, err := cs.ListCustomKeyStores(ctx, after, 100)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 100 {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}
