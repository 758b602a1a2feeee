package xksconfig

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// NewCredential returns a fresh credential in the specification's
// formats: a 26-character access key id of A-Z2-7 (130 random bits) and a
// 44-character base64 secret (256 random bits).
func NewCredential() Credential {
	var id [17]byte
	var secret [32]byte
	rand.Read(id[:])
	rand.Read(secret[:])
	akid := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(id[:])[:26]
	return Credential{AccessKeyID: akid, SecretAccessKey: base64.StdEncoding.EncodeToString(secret[:])}
}

// AppendCredential adds cred to the credentials of the store with the
// given prefix in the configuration file at path, keeping the rest of the
// file (and its comments), and replaces the file atomically with mode
// 0600. A serving proxy picks the new credential up without a restart.
// The file must load before and after the change.
func AppendCredential(path, prefix string, cred Credential) error {
	if _, err := Load(path); err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil || len(doc.Content) == 0 {
		return fmt.Errorf("xks config %s: cannot edit it: %v", path, err)
	}
	stores := mapValue(doc.Content[0], "keyStores")
	if stores == nil || stores.Kind != yaml.SequenceNode {
		return fmt.Errorf("xks config %s: no keyStores list", path)
	}
	var creds *yaml.Node
	for _, st := range stores.Content {
		p := mapValue(st, "uriPrefix")
		if (p == nil && prefix == "") || (p != nil && p.Value == prefix) {
			creds = mapValue(st, "credentials")
		}
	}
	if creds == nil || creds.Kind != yaml.SequenceNode {
		return fmt.Errorf("xks config %s: no key store with uriPrefix %q and a credentials list", path, prefix)
	}
	creds.Content = append(creds.Content, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "accessKeyId"}, {Kind: yaml.ScalarNode, Value: cred.AccessKeyID},
		{Kind: yaml.ScalarNode, Value: "secretAccessKey"}, {Kind: yaml.ScalarNode, Value: cred.SecretAccessKey, Style: yaml.DoubleQuotedStyle},
	}})
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	if _, err := Parse(out.Bytes()); err != nil {
		return fmt.Errorf("xks config %s: the edited file would not load: %w", path, err)
	}
	return writeFileAtomic(path, out.Bytes())
}

// mapValue returns the value of key in a YAML mapping node, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// writeFileAtomic replaces path with b (mode 0600) by a rename, so that a
// proxy re-reading the file never sees half of it.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".xks-config-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a successful rename: nothing to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// ConsoleFile is the JSON file the AWS KMS console imports when creating
// or updating an external key store ("Upload proxy configuration file").
type ConsoleFile struct {
	XksProxyURIPath string            `json:"XksProxyUriPath"`
	Credential      ConsoleCredential `json:"XksProxyAuthenticationCredential"`
}

// ConsoleCredential is ConsoleFile's credential.
type ConsoleCredential struct {
	AccessKeyID        string `json:"AccessKeyId"`
	RawSecretAccessKey string `json:"RawSecretAccessKey"`
}

// Console returns the console file of the store with the given prefix and
// one of its access keys.
func (c *Config) Console(prefix, accessKeyID string) ([]byte, error) {
	s := c.Store(prefix)
	if s == nil {
		return nil, fmt.Errorf("no key store with uriPrefix %q", prefix)
	}
	for _, cr := range s.Credentials {
		if cr.AccessKeyID == accessKeyID {
			f := ConsoleFile{XksProxyURIPath: s.URIPath(),
				Credential: ConsoleCredential{AccessKeyID: cr.AccessKeyID, RawSecretAccessKey: cr.SecretAccessKey}}
			b, err := json.MarshalIndent(f, "", "  ")
			return append(b, '\n'), err
		}
	}
	return nil, fmt.Errorf("key store %q has no access key %q", prefix, accessKeyID)
}
