package xksclient

import (
	"context"
	"net/url"
)

// Health is a proxy's GetHealthStatus answer, checked against the spec.
type Health struct {
	XksProxyFleetSize int    `json:"xksProxyFleetSize"`
	XksProxyVendor    string `json:"xksProxyVendor"`
	XksProxyModel     string `json:"xksProxyModel"`
	EkmVendor         string `json:"ekmVendor"`
	EkmFleetDetails   []struct {
		ID           string `json:"id"`
		Model        string `json:"model"`
		HealthStatus string `json:"healthStatus"`
	} `json:"ekmFleetDetails"`
}

// Available reports whether at least one external key manager can serve
// traffic: AWS fails a connection when every one is UNAVAILABLE.
func (h *Health) Available() bool {
	for _, e := range h.EkmFleetDetails {
		if e.HealthStatus != "UNAVAILABLE" {
			return true
		}
	}
	return false
}

func (h *Health) valid() bool {
	if h.XksProxyFleetSize <= 0 || h.XksProxyVendor == "" || h.XksProxyModel == "" || h.EkmVendor == "" ||
		len(h.EkmFleetDetails) < 1 || len(h.EkmFleetDetails) > 10 {
		return false
	}
	for _, e := range h.EkmFleetDetails {
		switch e.HealthStatus {
		case "ACTIVE", "DEGRADED", "UNAVAILABLE":
		default:
			return false
		}
		if e.ID == "" || e.Model == "" {
			return false
		}
	}
	return true
}

type metaOnly struct {
	RequestMetadata RequestMetadata `json:"requestMetadata"`
}

// GetHealthStatus asks the proxy for its health (CreateCustomKeyStore,
// UpdateCustomKeyStore, ConnectCustomKeyStore).
func (c *Client) GetHealthStatus(ctx context.Context, p Proxy, md RequestMetadata) (*Health, error) {
	var h Health
	if err := c.call(ctx, "GetHealthStatus", p, "/health", metaOnly{md}, &h); err != nil {
		return nil, err
	}
	if !h.valid() {
		return nil, invalid("GetHealthStatus", errMissing.Error())
	}
	return &h, nil
}

// KeyMetadata is a proxy's GetKeyMetadata answer.
type KeyMetadata struct {
	KeySpec   string   `json:"keySpec"`
	KeyUsage  []string `json:"keyUsage"`
	KeyStatus string   `json:"keyStatus"`
}

// Usable reports whether the external key can back a KMS key: AES_256,
// usable to encrypt and decrypt, and enabled (the spec's CreateKey rule).
func (m *KeyMetadata) Usable() bool {
	var enc, dec bool
	for _, u := range m.KeyUsage {
		enc = enc || u == "ENCRYPT"
		dec = dec || u == "DECRYPT"
	}
	return m.KeySpec == "AES_256" && enc && dec && m.KeyStatus == "ENABLED"
}

// GetKeyMetadata describes external key keyID (CreateKey).
func (c *Client) GetKeyMetadata(ctx context.Context, p Proxy, keyID string, md RequestMetadata) (*KeyMetadata, error) {
	var m KeyMetadata
	if err := c.call(ctx, "GetKeyMetadata", p, keyPath(keyID, "metadata"), metaOnly{md}, &m); err != nil {
		return nil, err
	}
	if m.KeySpec == "" || m.KeyUsage == nil || len(m.KeyUsage) > 10 || (m.KeyStatus != "ENABLED" && m.KeyStatus != "DISABLED") {
		return nil, invalid("GetKeyMetadata", errMissing.Error())
	}
	return &m, nil
}

// Sealed is what the proxy's Encrypt returns and its Decrypt takes back.
type Sealed struct {
	Ciphertext         []byte
	IV                 []byte // 12 or 16 bytes
	Tag                []byte // 16 bytes
	CiphertextMetadata []byte // at most 20 bytes; may be empty
}

type encryptRequest struct {
	RequestMetadata     RequestMetadata `json:"requestMetadata"`
	Plaintext           []byte          `json:"plaintext"`
	EncryptionAlgorithm string          `json:"encryptionAlgorithm"`
	AAD                 []byte          `json:"additionalAuthenticatedData,omitempty"`
}

type encryptResponse struct {
	Ciphertext         []byte `json:"ciphertext"`
	IV                 []byte `json:"initializationVector"`
	Tag                []byte `json:"authenticationTag"`
	CiphertextMetadata []byte `json:"ciphertextMetadata"`
}

// Encrypt encrypts plaintext under external key keyID with AES-GCM,
// authenticating aad. The answer must have a ciphertext as long as the
// plaintext, a 12- or 16-byte IV, a 16-byte tag and at most 20 bytes of
// ciphertext metadata.
func (c *Client) Encrypt(ctx context.Context, p Proxy, keyID string, md RequestMetadata, plaintext, aad []byte) (*Sealed, error) {
	var r encryptResponse
	in := encryptRequest{RequestMetadata: md, Plaintext: plaintext, EncryptionAlgorithm: "AES_GCM", AAD: aad}
	if err := c.call(ctx, "Encrypt", p, keyPath(keyID, "encrypt"), in, &r); err != nil {
		return nil, err
	}
	if len(r.Ciphertext) != len(plaintext) || (len(r.IV) != 12 && len(r.IV) != 16) ||
		len(r.Tag) != 16 || len(r.CiphertextMetadata) > 20 {
		return nil, invalid("Encrypt", "field missing or of a wrong length")
	}
	return &Sealed{Ciphertext: r.Ciphertext, IV: r.IV, Tag: r.Tag, CiphertextMetadata: r.CiphertextMetadata}, nil
}

type decryptRequest struct {
	RequestMetadata     RequestMetadata `json:"requestMetadata"`
	Ciphertext          []byte          `json:"ciphertext"`
	EncryptionAlgorithm string          `json:"encryptionAlgorithm"`
	IV                  []byte          `json:"initializationVector"`
	Tag                 []byte          `json:"authenticationTag"`
	AAD                 []byte          `json:"additionalAuthenticatedData,omitempty"`
	CiphertextMetadata  []byte          `json:"ciphertextMetadata,omitempty"`
}

// Decrypt reverses Encrypt. The plaintext must be as long as the
// ciphertext.
func (c *Client) Decrypt(ctx context.Context, p Proxy, keyID string, md RequestMetadata, s *Sealed, aad []byte) ([]byte, error) {
	var r struct {
		Plaintext []byte `json:"plaintext"`
	}
	in := decryptRequest{RequestMetadata: md, Ciphertext: s.Ciphertext, EncryptionAlgorithm: "AES_GCM",
		IV: s.IV, Tag: s.Tag, AAD: aad, CiphertextMetadata: s.CiphertextMetadata}
	if err := c.call(ctx, "Decrypt", p, keyPath(keyID, "decrypt"), in, &r); err != nil {
		return nil, err
	}
	if len(r.Plaintext) != len(s.Ciphertext) {
		clear(r.Plaintext)
		return nil, invalid("Decrypt", "plaintext of a wrong length")
	}
	return r.Plaintext, nil
}

func keyPath(keyID, api string) string {
	return "/keys/" + url.PathEscape(keyID) + "/" + api
}
