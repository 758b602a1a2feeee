package xks

import (
	"context"
	"strings"

	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

// signingService is the SigV4 signing name KMS uses towards XKS proxies.
const signingService = "kms-xks-proxy"

// state is what one version of the configuration file says about the key
// stores. It is immutable: a reload builds a new one and swaps it in
// whole, so a request sees one version from its start to its end.
type state struct {
	cfg    *xksconfig.Config
	stores map[string]*store // by URI prefix
}

// store is one logical key store.
type store struct {
	prefix   string
	creds    map[string][]byte // access key id → secret
	keys     map[string]*extKey
	health   pkcs11.PoolKey
	verifier *sigv4.Verifier
}

// extKey is an external key: its id, the token key, and its secondary
// authorization rules (none: every authenticated request).
type extKey struct {
	id    string
	token pkcs11.PoolKey
	allow []xksconfig.Rule
}

func newState(cfg *xksconfig.Config) *state {
	st := &state{cfg: cfg, stores: make(map[string]*store, len(cfg.Stores))}
	for i := range cfg.Stores {
		c := &cfg.Stores[i]
		s := &store{prefix: c.URIPrefix, creds: map[string][]byte{}, keys: map[string]*extKey{},
			health: pkcs11.PoolKey{Label: c.HealthKey}}
		for _, cr := range c.Credentials {
			s.creds[cr.AccessKeyID] = []byte(cr.SecretAccessKey)
		}
		for j := range c.Keys {
			k := &c.Keys[j]
			s.keys[k.ExternalKeyID] = &extKey{id: k.ExternalKeyID,
				token: pkcs11.PoolKey{Label: k.Label, ID: k.KeyIDBytes()}, allow: k.Allow}
		}
		// The region is the caller's (KMS signs with its own region);
		// the signature's key derivation still binds it.
		s.verifier = &sigv4.Verifier{Service: signingService, AnyRegion: true, Lookup: s.lookup}
		st.stores[s.prefix] = s
	}
	return st
}

// lookup is the store's sigv4.SecretLookup: only its own credentials.
func (s *store) lookup(_ context.Context, akid string) ([]byte, error) {
	if secret, ok := s.creds[akid]; ok {
		return secret, nil
	}
	return nil, sigv4.ErrUnknownAccessKey
}

// The four APIs, by the names the audit trail and the logs use.
const (
	apiGetKeyMetadata  = "GetKeyMetadata"
	apiEncrypt         = "Encrypt"
	apiDecrypt         = "Decrypt"
	apiGetHealthStatus = "GetHealthStatus"
)

// parsePath splits an API URI path, <prefix>/kms/xks/v1/keys/<id>/<op> or
// <prefix>/kms/xks/v1/health, into the prefix, the API and the external
// key id.
func parsePath(path string) (prefix, api, keyID string, ok bool) {
	const base = xksconfig.APIPath + "/"
	i := strings.LastIndex(path, base)
	if i < 0 {
		return "", "", "", false
	}
	prefix, rest := path[:i], path[i+len(base):]
	if rest == "health" {
		return prefix, apiGetHealthStatus, "", true
	}
	rest, ok = strings.CutPrefix(rest, "keys/")
	if !ok {
		return "", "", "", false
	}
	keyID, op, ok := strings.Cut(rest, "/")
	if !ok || keyID == "" || len(keyID) > 128 || strings.IndexFunc(keyID, badKeyIDRune) >= 0 {
		return "", "", "", false
	}
	switch op {
	case "metadata":
		api = apiGetKeyMetadata
	case "encrypt":
		api = apiEncrypt
	case "decrypt":
		api = apiDecrypt
	default:
		return "", "", "", false
	}
	return prefix, api, keyID, true
}

// badKeyIDRune reports a character an externalKeyId may not have.
func badKeyIDRune(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_')
}
