// Package xksconfig is the configuration file of `trent xks serve`: its
// YAML form, loading with the checks a file of secrets needs, the
// validation of every field against the XKS proxy API specification, new
// credentials, and the file the AWS console imports.
//
// The file holds secret access keys, so Load refuses a file that group or
// others may read. It is re-read while serving (SIGHUP, or a change of its
// modification time), so Load never logs or echoes a secret.
package xksconfig

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Config is the whole file.
type Config struct {
	// Listen is the TCP address to serve on; ":443" if empty (KMS calls
	// proxies on the default HTTPS port).
	Listen   string   `yaml:"listen"`
	TLS      TLS      `yaml:"tls"`
	PKCS11   PKCS11   `yaml:"pkcs11"`
	AuditLog string   `yaml:"auditLog"`
	Stores   []Store  `yaml:"keyStores"`
	Log      LogLevel `yaml:"logLevel"`
}

// LogLevel is "debug", "info" (the default), "warn" or "error".
type LogLevel string

// TLS is the server's certificate and the optional client-certificate
// requirement (mTLS). TLS is mandatory.
type TLS struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
	MTLS *MTLS  `yaml:"mtls"`
}

// MTLS requires every client to present a certificate that chains to CA
// and whose subject common name is Subject (KMS's is
// cks.kms.<region>.amazonaws.com); the handshake fails otherwise.
type MTLS struct {
	CA      string `yaml:"ca"`
	Subject string `yaml:"subject"`
}

// PKCS11 names the token holding the external keys, and its PIN.
type PKCS11 struct {
	Module string `yaml:"module"`
	// Token is the token's label; URI an RFC 7512 URI selecting it (and
	// possibly the module). One of them is required.
	Token string `yaml:"token"`
	URI   string `yaml:"uri"`
	// NSSDB is an NSS softokn database directory, for NSS's module.
	NSSDB string `yaml:"nssdb"`
	// PINFile is a file whose first line is the user PIN; PINEnv the
	// name of an environment variable holding it. At most one; neither
	// means no login.
	PINFile string `yaml:"pinFile"`
	PINEnv  string `yaml:"pinEnv"`
	// Sessions is the size of the session pool (default 16).
	Sessions int `yaml:"sessions"`
}

// Store is one logical external key store: a URI path prefix with its own
// credentials and keys.
type Store struct {
	// URIPrefix precedes /kms/xks/v1 in the store's URIs: "" or a path
	// such as "/tenant-a".
	URIPrefix   string       `yaml:"uriPrefix"`
	Credentials []Credential `yaml:"credentials"`
	Keys        []Key        `yaml:"keys"`
	// HealthKey is the label of the AES key the deep health check
	// encrypts and decrypts with (a test key, not one KMS uses).
	HealthKey string `yaml:"healthKey"`
}

// Credential is a SigV4 credential KMS signs with.
type Credential struct {
	AccessKeyID     string `yaml:"accessKeyId"`
	SecretAccessKey string `yaml:"secretAccessKey"`
}

// Key maps an externalKeyId to an AES-256 key of the token, by label, by
// CKA_ID (hex), or both.
type Key struct {
	ExternalKeyID string `yaml:"externalKeyId"`
	Label         string `yaml:"label"`
	ID            string `yaml:"id"`
	// Allow, if not empty, is the key's secondary authorization: a
	// request is served only if a rule names its awsPrincipalArn (or "*")
	// and its kmsOperation (or "*").
	Allow []Rule `yaml:"allow"`
}

// Rule allows a principal some KMS operations on a key.
type Rule struct {
	Principal  string   `yaml:"principal"`
	Operations []string `yaml:"operations"`
}

// URIPath is the store's XksProxyUriPath: prefix + "/kms/xks/v1".
func (s *Store) URIPath() string { return s.URIPrefix + APIPath }

// APIPath is the fixed part of every XKS proxy URI path.
const APIPath = "/kms/xks/v1"

// DefaultSessions is the session pool size when the file gives none.
const DefaultSessions = 16

// Load reads and validates the file at path. It refuses a file that group
// or others may read or write, because it holds secret access keys.
func Load(path string) (*Config, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("xks config: %w", err)
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return nil, fmt.Errorf("xks config %s: the file holds secret access keys but group or others may access it (mode %04o): chmod 600 %s", path, m, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("xks config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("xks config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a configuration. Unknown fields are errors
// (a misspelt field would otherwise be silently ignored).
func Parse(b []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, sanitizeYAMLError(err)
	}
	if c.Listen == "" {
		c.Listen = ":443"
	}
	if c.PKCS11.Sessions == 0 {
		c.PKCS11.Sessions = DefaultSessions
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// sanitizeYAMLError keeps yaml's line-numbered messages but not values
// they may quote (a secret in a malformed line).
func sanitizeYAMLError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%d error(s) in the YAML (wrong type or unknown field); first: %s", len(te.Errors), redactQuoted(te.Errors[0]))
	}
	return fmt.Errorf("malformed YAML: %s", redactQuoted(err.Error()))
}

// redactQuoted replaces the backquoted values of a yaml.v3 message.
func redactQuoted(s string) string {
	var out []byte
	in := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '`':
			if in {
				out = append(out, "`…`"...)
			}
			in = !in
		case !in:
			out = append(out, s[i])
		}
	}
	return string(out)
}

// Store returns the store with the given prefix, or nil.
func (c *Config) Store(prefix string) *Store {
	for i := range c.Stores {
		if c.Stores[i].URIPrefix == prefix {
			return &c.Stores[i]
		}
	}
	return nil
}
