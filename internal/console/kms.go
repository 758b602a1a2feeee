package console

import (
	"net/http"
	"net/url"
	"strings"
)

// registerKMS registers the KMS pages: the key list, the create-key
// wizard, a key's detail tabs and actions, and the import of key material.
func (c *Console) registerKMS(m *http.ServeMux) {
	m.HandleFunc("GET "+Prefix+"kms/keys", c.authed(c.keyList))
	m.HandleFunc("GET "+Prefix+"kms/keys/create", c.authed(c.createKeyStart))
	m.HandleFunc("POST "+Prefix+"kms/keys/create", c.authed(c.createKeyStep))
	m.HandleFunc("GET "+Prefix+"kms/keys/{id}", c.authed(c.keyDetail))
	m.HandleFunc("POST "+Prefix+"kms/keys/{id}/{action}", c.authed(c.keyAction))
	m.HandleFunc("GET "+Prefix+"kms/keys/{id}/import", c.authed(c.keyImportPage))
	m.HandleFunc("POST "+Prefix+"kms/keys/{id}/import", c.authed(c.keyImportDownload))
	m.HandleFunc("GET "+Prefix+"kms/keys/{id}/upload", c.authed(c.keyUploadPage))
	m.HandleFunc("POST "+Prefix+"kms/keys/{id}/upload", c.authed(c.keyUploadMaterial))
}

// keyMeta is DescribeKey's KeyMetadata, as the API answers it (times
// are epoch seconds).
type keyMeta struct {
	KeyId                       string
	Arn                         string
	CreationDate                float64
	Enabled                     bool
	Description                 string
	KeyUsage                    string
	KeyState                    string
	DeletionDate                float64
	ValidTo                     float64
	Origin                      string
	KeyManager                  string
	KeySpec                     string
	ExpirationModel             string
	MultiRegion                 bool
	PendingDeletionWindowInDays int
	EncryptionAlgorithms        []string
	SigningAlgorithms           []string
	MacAlgorithms               []string
	KeyAgreementAlgorithms      []string
}

// StateLabel is the key state as the AWS console shows it.
func (k *keyMeta) StateLabel() string {
	switch k.KeyState {
	case "PendingImport":
		return "Pending import"
	case "PendingDeletion":
		return "Pending deletion"
	case "PendingReplicaDeletion":
		return "Pending replica deletion"
	}
	return k.KeyState
}

// OriginLabel is the origin as the AWS console shows it.
func (k *keyMeta) OriginLabel() string {
	switch k.Origin {
	case "AWS_KMS":
		return "AWS_KMS"
	case "EXTERNAL":
		return "External (Import Key material)"
	case "AWS_CLOUDHSM":
		return "AWS CloudHSM key store"
	case "EXTERNAL_KEY_STORE":
		return "External key store"
	}
	return k.Origin
}

// Type is "Symmetric" or "Asymmetric", as the key list's column.
func (k *keyMeta) Type() string {
	if k.KeySpec == "SYMMETRIC_DEFAULT" || strings.HasPrefix(k.KeySpec, "HMAC_") {
		return "Symmetric"
	}
	return "Asymmetric"
}

// describeKey calls DescribeKey for id.
func (c *Console) describeKey(r *http.Request, ss *session, id string) (*keyMeta, error) {
	var out struct{ KeyMetadata keyMeta }
	if err := c.kms(r, ss, "DescribeKey", map[string]any{"KeyId": id}, &out); err != nil {
		return nil, err
	}
	return &out.KeyMetadata, nil
}

// kmsAlias is one ListAliases entry.
type kmsAlias struct {
	AliasName    string
	AliasArn     string
	TargetKeyId  string
	CreationDate float64
}

// keyAliases lists the aliases of the key id (its first 100: the console
// shows no more on one key).
func (c *Console) keyAliases(r *http.Request, ss *session, id string) ([]kmsAlias, error) {
	var out struct{ Aliases []kmsAlias }
	err := c.kms(r, ss, "ListAliases", map[string]any{"KeyId": id, "Limit": 100}, &out)
	return out.Aliases, err
}

// keyPath is the console path of the key id's page, tab tab ("" general).
func keyPath(id, tab string) string {
	p := Prefix + "kms/keys/" + url.PathEscape(id)
	if tab != "" {
		p += "?tab=" + url.QueryEscape(tab)
	}
	return p
}
