package xksconfig

import (
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
)

// Formats of the XKS proxy API specification (§ Authentication, § URI).
var (
	accessKeyIDFormat = regexp.MustCompile(`^[A-Z2-7]{20,30}$`)
	secretFormat      = regexp.MustCompile(`^[A-Za-z0-9+/=]{43,64}$`)
	keyIDFormat       = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)
	prefixFormat      = regexp.MustCompile(`^(/[A-Za-z0-9_-]+)*$`)
)

// maxURIPath is the specification's bound on XksProxyUriPath.
const maxURIPath = 128

// ValidAccessKeyID reports whether id is an access key id the
// specification allows: 20 to 30 characters of A-Z and 2-7.
func ValidAccessKeyID(id string) bool { return accessKeyIDFormat.MatchString(id) }

// ValidSecret reports whether s is a secret access key the specification
// allows: 43 to 64 characters of A-Za-z0-9+/=.
func ValidSecret(s string) bool { return secretFormat.MatchString(s) }

// Validate checks every field. Its errors name the field and never quote
// a secret.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.TLS.Cert == "" || c.TLS.Key == "" {
		bad("tls.cert and tls.key are required: the XKS proxy serves HTTPS only")
	}
	if m := c.TLS.MTLS; m != nil && (m.CA == "" || m.Subject == "") {
		bad("tls.mtls needs both ca (the client CA file) and subject (the client certificate's common name)")
	}
	if c.PKCS11.Module == "" && c.PKCS11.URI == "" && c.PKCS11.NSSDB == "" {
		bad("pkcs11.module is required (or a pkcs11.uri with module-path)")
	}
	if c.PKCS11.Token == "" && c.PKCS11.URI == "" && c.PKCS11.NSSDB == "" {
		bad("pkcs11.token (the token label) or pkcs11.uri is required")
	}
	if c.PKCS11.PINFile != "" && c.PKCS11.PINEnv != "" {
		bad("pkcs11: give pinFile or pinEnv, not both")
	}
	if c.PKCS11.Sessions < 0 {
		bad("pkcs11.sessions must be positive")
	}
	if c.AuditLog == "" {
		bad("auditLog is required: every request is audited")
	}
	switch c.Log {
	case "", "debug", "info", "warn", "error":
	default:
		bad("logLevel %q: want debug, info, warn or error", c.Log)
	}
	if len(c.Stores) == 0 {
		bad("keyStores: at least one key store is required")
	}
	prefixes, akids := map[string]bool{}, map[string]bool{}
	for i := range c.Stores {
		errs = append(errs, c.Stores[i].validate(fmt.Sprintf("keyStores[%d]", i), prefixes, akids)...)
	}
	return errors.Join(errs...)
}

func (s *Store) validate(at string, prefixes, akids map[string]bool) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(at+": "+format, args...))
	}
	switch {
	case !prefixFormat.MatchString(s.URIPrefix):
		bad("uriPrefix %q: want \"\" or /segments of A-Za-z0-9_- without a trailing slash", s.URIPrefix)
	case len(s.URIPath()) > maxURIPath:
		bad("uriPrefix %q: the URI path %s/kms/xks/v1 exceeds %d characters", s.URIPrefix, s.URIPrefix, maxURIPath)
	case prefixes[s.URIPrefix]:
		bad("uriPrefix %q is used by another key store", s.URIPrefix)
	}
	prefixes[s.URIPrefix] = true
	if len(s.Credentials) == 0 {
		bad("credentials: at least one is required")
	}
	for j, cr := range s.Credentials {
		if !ValidAccessKeyID(cr.AccessKeyID) {
			bad("credentials[%d].accessKeyId %q: want 20-30 characters of A-Z and 2-7", j, cr.AccessKeyID)
		} else if akids[cr.AccessKeyID] {
			bad("credentials[%d].accessKeyId %q is given twice", j, cr.AccessKeyID)
		}
		akids[cr.AccessKeyID] = true
		if !ValidSecret(cr.SecretAccessKey) {
			bad("credentials[%d].secretAccessKey: want 43-64 characters of A-Za-z0-9+/= (e.g. openssl rand -base64 32)", j)
		}
	}
	if s.HealthKey == "" {
		bad("healthKey: the label of a test AES key for the deep health check is required")
	}
	ids := map[string]bool{}
	for j, k := range s.Keys {
		kat := fmt.Sprintf("keys[%d]", j)
		if !keyIDFormat.MatchString(k.ExternalKeyID) {
			bad("%s.externalKeyId %q: want 1-128 characters of A-Za-z0-9.-_", kat, k.ExternalKeyID)
		} else if ids[k.ExternalKeyID] {
			bad("%s.externalKeyId %q is given twice", kat, k.ExternalKeyID)
		}
		ids[k.ExternalKeyID] = true
		if k.Label == "" && k.ID == "" {
			bad("%s: give the token key's label or id", kat)
		}
		if _, err := hex.DecodeString(k.ID); err != nil {
			bad("%s.id: want hex", kat)
		}
		for r, rule := range k.Allow {
			if rule.Principal == "" || len(rule.Operations) == 0 {
				bad("%s.allow[%d]: a rule needs a principal and operations (\"*\" for any)", kat, r)
			}
		}
	}
	return errs
}

// KeyIDBytes is k.ID decoded (validated by Validate).
func (k *Key) KeyIDBytes() []byte {
	b, _ := hex.DecodeString(k.ID)
	return b
}
