package pkcs11

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// pctEncode encodes every byte but the unreserved ones: always valid in a
// path and a query value.
func pctEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isUnreserved(s[i]) {
			b.WriteByte(s[i])
		} else {
			fmt.Fprintf(&b, "%%%02X", s[i])
		}
	}
	return b.String()
}

// String returns the URI in a canonical form: attributes in a fixed order,
// every byte but the unreserved ones percent-encoded. A pin-value is
// written as it is: do not log the result of a URI that holds one.
// ParseURI(u.String()) gives back u.
func (u *URI) String() string {
	var path, query []string
	add := func(list *[]string, name, v string) {
		if v != "" {
			*list = append(*list, name+"="+pctEncode(v))
		}
	}
	for _, name := range pathAttrs {
		switch name {
		case "slot-id":
			if u.SlotID != nil {
				path = append(path, "slot-id="+strconv.FormatUint(uint64(*u.SlotID), 10))
			}
		case "id":
			add(&path, name, string(u.ID))
		default:
			add(&path, name, u.field(name))
		}
	}
	for _, k := range sortedKeys(u.VendorPath) {
		path = append(path, k+"="+pctEncode(u.VendorPath[k]))
	}
	for _, name := range queryAttrs {
		add(&query, name, u.field(name))
	}
	for _, k := range sortedKeys(u.VendorQuery) {
		query = append(query, k+"="+pctEncode(u.VendorQuery[k]))
	}
	s := "pkcs11:" + strings.Join(path, ";")
	if len(query) > 0 {
		s += "?" + strings.Join(query, "&")
	}
	return s
}

func (u *URI) field(name string) string {
	switch name {
	case "token":
		return u.Token
	case "manufacturer":
		return u.Manufacturer
	case "serial":
		return u.Serial
	case "model":
		return u.Model
	case "slot-description":
		return u.SlotDescription
	case "slot-manufacturer":
		return u.SlotManufacturer
	case "library-manufacturer":
		return u.LibraryManufacturer
	case "library-description":
		return u.LibraryDescription
	case "library-version":
		return u.LibraryVersion
	case "object":
		return u.Object
	case "type":
		return u.Type
	case "pin-source":
		return u.PINSource
	case "pin-value":
		return u.PINValue
	case "module-name":
		return u.ModuleName
	case "module-path":
		return u.ModulePath
	}
	return ""
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
