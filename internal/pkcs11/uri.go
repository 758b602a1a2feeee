package pkcs11

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// URI is a parsed RFC 7512 PKCS#11 URI. Values are percent-decoded; an
// empty string means the attribute is absent (RFC 7512 gives an empty
// value no meaning other than "match the empty string", which Trent does
// not need).
type URI struct {
	// Token and slot attributes (path component).
	Token, Manufacturer, Serial, Model string
	SlotDescription, SlotManufacturer  string
	SlotID                             *uint

	// Library attributes: checked against C_GetInfo.
	LibraryManufacturer, LibraryDescription, LibraryVersion string

	// Object attributes.
	Object string // CKA_LABEL
	ID     []byte // CKA_ID
	Type   string // public, private, cert, secret-key or data

	// Query component.
	PINSource, PINValue    string
	ModuleName, ModulePath string

	// Vendor attributes ("x-…"), in the path and in the query.
	VendorPath, VendorQuery map[string]string
}

// pathAttrs and queryAttrs are the attribute names of RFC 7512, in the
// order String writes them.
var (
	pathAttrs = []string{"library-manufacturer", "library-description", "library-version",
		"slot-manufacturer", "slot-description", "slot-id",
		"manufacturer", "model", "serial", "token", "object", "type", "id"}
	queryAttrs = []string{"pin-source", "pin-value", "module-name", "module-path"}
	uriTypes   = []string{"public", "private", "cert", "secret-key", "data"}
)

// ParseURI parses an RFC 7512 PKCS#11 URI ("pkcs11:token=kms;object=k1").
// It is strict: unknown standard attributes, repeated attributes, bad
// percent-encoding, characters the RFC requires to be encoded, a bad
// slot-id, library-version or type, and pin-source with pin-value together
// are errors. Vendor attributes (x-…) are kept, not interpreted.
func ParseURI(s string) (*URI, error) {
	const scheme = "pkcs11:"
	if len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return nil, fmt.Errorf("pkcs11 URI %q: must start with %q", abbrev(s), scheme)
	}
	rest := s[len(scheme):]
	path, query, hasQuery := strings.Cut(rest, "?")
	u := &URI{}
	seen := map[string]bool{}
	if path != "" {
		for _, part := range strings.Split(path, ";") {
			if err := u.setAttr(part, false, seen); err != nil {
				return nil, fmt.Errorf("pkcs11 URI %q: %w", abbrev(s), err)
			}
		}
	}
	if hasQuery && query != "" {
		for _, part := range strings.Split(query, "&") {
			if err := u.setAttr(part, true, seen); err != nil {
				return nil, fmt.Errorf("pkcs11 URI %q: %w", abbrev(s), err)
			}
		}
	}
	if u.PINSource != "" && u.PINValue != "" {
		return nil, fmt.Errorf("pkcs11 URI %q: pin-source and pin-value must not both be given", abbrev(s))
	}
	return u, nil
}

// abbrev shortens s for an error message and hides a pin-value.
func abbrev(s string) string {
	if i := strings.Index(s, "pin-value="); i >= 0 {
		end := strings.IndexAny(s[i:], "&;")
		if end < 0 {
			s = s[:i] + "pin-value=…"
		} else {
			s = s[:i] + "pin-value=…" + s[i+end:]
		}
	}
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

func (u *URI) setAttr(part string, query bool, seen map[string]bool) error {
	if part == "" {
		return fmt.Errorf("empty attribute (doubled or trailing %q)", map[bool]string{false: ";", true: "&"}[query])
	}
	name, raw, ok := strings.Cut(part, "=")
	if !ok {
		return fmt.Errorf("attribute %q has no '='", part)
	}
	if seen[name] {
		return fmt.Errorf("attribute %q appears twice", name)
	}
	seen[name] = true
	v, err := pctDecode(raw, query)
	if err != nil {
		return fmt.Errorf("attribute %q: %w", name, err)
	}
	if strings.HasPrefix(name, "x-") && len(name) > 2 {
		for _, c := range name[2:] {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("vendor attribute name %q has character %q", name, c)
			}
		}
		m := &u.VendorPath
		if query {
			m = &u.VendorQuery
		}
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[name] = v
		return nil
	}
	switch {
	case query && !slices.Contains(queryAttrs, name):
		return fmt.Errorf("unknown query attribute %q (after '?': %s)", name, strings.Join(queryAttrs, ", "))
	case !query && !slices.Contains(pathAttrs, name):
		return fmt.Errorf("unknown path attribute %q (before '?': %s)", name, strings.Join(pathAttrs, ", "))
	}
	switch name {
	case "token":
		u.Token = v
	case "manufacturer":
		u.Manufacturer = v
	case "serial":
		u.Serial = v
	case "model":
		u.Model = v
	case "slot-description":
		u.SlotDescription = v
	case "slot-manufacturer":
		u.SlotManufacturer = v
	case "slot-id":
		if !allDigits(v) {
			return fmt.Errorf("slot-id %q is not a decimal number", v)
		}
		n, err := strconv.ParseUint(v, 10, 0)
		if err != nil {
			return fmt.Errorf("slot-id %q is out of range", v)
		}
		id := uint(n)
		u.SlotID = &id
	case "library-manufacturer":
		u.LibraryManufacturer = v
	case "library-description":
		u.LibraryDescription = v
	case "library-version":
		major, minor, dot := strings.Cut(v, ".")
		if !allDigits(major) || dot && !allDigits(minor) {
			return fmt.Errorf("library-version %q is not M or M.N", v)
		}
		u.LibraryVersion = v
	case "object":
		u.Object = v
	case "id":
		if v != "" {
			u.ID = []byte(v)
		}
	case "type":
		if !slices.Contains(uriTypes, v) {
			return fmt.Errorf("type %q is not one of %s", v, strings.Join(uriTypes, ", "))
		}
		u.Type = v
	case "pin-source":
		u.PINSource = v
	case "pin-value":
		u.PINValue = v
	case "module-name":
		u.ModuleName = v
	case "module-path":
		u.ModulePath = v
	}
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isUnreserved reports RFC 7512's pk11-unreserved characters.
func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// allowedLiteral reports whether c may appear unencoded in a path value
// (pk11-p-res-avail) or, with query set, a query value (pk11-q-res-avail).
func allowedLiteral(c byte, query bool) bool {
	if isUnreserved(c) || strings.IndexByte(":[]@!$'()*+,=", c) >= 0 {
		return true
	}
	return query && strings.IndexByte("/?|", c) >= 0
}

func pctDecode(s string, query bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", fmt.Errorf("bad percent-encoding at %q", s[i:min(i+3, len(s))])
			}
			b.WriteByte(byte(unhex(s[i+1])<<4 | unhex(s[i+2])))
			i += 2
		case allowedLiteral(c, query):
			b.WriteByte(c)
		default:
			return "", fmt.Errorf("character %q must be percent-encoded (%%%02X)", c, c)
		}
	}
	return b.String(), nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// HasObject reports whether the URI names an object (object, id or type).
func (u *URI) HasObject() bool {
	return u.Object != "" || len(u.ID) > 0 || u.Type != ""
}
