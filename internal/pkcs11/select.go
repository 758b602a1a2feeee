package pkcs11

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// NSS softokn's library and its tokens.
const (
	nssModule       = "libsoftokn3.so"
	nssKeyDBToken   = "NSS Certificate DB"
	nssGenericToken = "NSS Generic Crypto Services"
)

// selection is a Config merged with its URI: what Open looks for.
type selection struct {
	module, nssDB                               string
	moduleFlag                                  string // Config.ModuleFlag
	slot                                        *uint
	label, serial, model, manufacturer          string
	slotDescription, slotManufacturer           string
	libManufacturer, libDescription, libVersion string
}

// resolve merges the Config's explicit fields with its URI's; a value
// given both ways must agree.
func (c Config) resolve() (selection, error) {
	s := selection{moduleFlag: c.ModuleFlag, module: c.Module, nssDB: c.NSSDB, slot: c.Slot, label: c.TokenLabel}
	if u := c.URI; u != nil {
		if u.ModulePath != "" {
			if s.module != "" && s.module != u.ModulePath {
				return s, fmt.Errorf("the module is given twice: %q and module-path=%q in the pkcs11: URI", s.module, u.ModulePath)
			}
			s.module = u.ModulePath
		}
		if u.ModuleName != "" {
			lib := "lib" + u.ModuleName + ".so"
			if s.module != "" && filepath.Base(s.module) != lib {
				return s, fmt.Errorf("the module %q does not match module-name=%q in the pkcs11: URI", s.module, u.ModuleName)
			}
			if s.module == "" {
				s.module = lib
			}
		}
		if u.SlotID != nil {
			if s.slot != nil && *s.slot != *u.SlotID {
				return s, fmt.Errorf("the slot is given twice: %d and slot-id=%d in the pkcs11: URI", *s.slot, *u.SlotID)
			}
			s.slot = u.SlotID
		}
		if u.Token != "" {
			if s.label != "" && s.label != u.Token {
				return s, fmt.Errorf("the token label is given twice: %q and token=%q in the pkcs11: URI", s.label, u.Token)
			}
			s.label = u.Token
		}
		s.serial, s.model, s.manufacturer = u.Serial, u.Model, u.Manufacturer
		s.slotDescription, s.slotManufacturer = u.SlotDescription, u.SlotManufacturer
		s.libManufacturer, s.libDescription, s.libVersion = u.LibraryManufacturer, u.LibraryDescription, u.LibraryVersion
	}
	if s.module == "" && s.nssDB != "" {
		s.module = nssModule
	}
	if s.module == "" {
		if c.ModuleFlag != "" && c.ModuleFlag != "--module" {
			return s, fmt.Errorf("no PKCS#11 module: give %s (env TRENT_PKCS11_MODULE) or module-path in the pkcs11: URI", c.ModuleFlag)
		}
		return s, fmt.Errorf("no PKCS#11 module: give --module (env TRENT_PKCS11_MODULE), module-path in a pkcs11: URI, or --nss-db for NSS softokn")
	}
	if strings.ContainsAny(s.nssDB, "'\x00") {
		return s, fmt.Errorf("the NSS database directory %q contains a quote, which NSS's parameter string cannot carry", s.nssDB)
	}
	return s, nil
}

// selects reports whether the selection names a token at all.
func (s selection) selects() bool {
	return s.slot != nil || s.label != "" || s.serial != "" || s.model != "" || s.manufacturer != "" ||
		s.slotDescription != "" || s.slotManufacturer != ""
}

// matches reports whether a slot with a token fits every criterion.
func (s selection) matches(sl SlotInfo) bool {
	t := sl.Token
	return t != nil &&
		(s.slot == nil || *s.slot == sl.ID) &&
		(s.label == "" || s.label == t.Label) &&
		(s.serial == "" || s.serial == t.Serial) &&
		(s.model == "" || s.model == t.Model) &&
		(s.manufacturer == "" || s.manufacturer == t.Manufacturer) &&
		(s.slotDescription == "" || s.slotDescription == sl.Description) &&
		(s.slotManufacturer == "" || s.slotManufacturer == sl.Manufacturer)
}

// choose picks the token of the selection among a module's slots.
func (s selection) choose(slots []SlotInfo) (SlotInfo, error) {
	var found []SlotInfo
	if s.selects() {
		for _, sl := range slots {
			if s.matches(sl) {
				found = append(found, sl)
			}
		}
		switch len(found) {
		case 0:
			return SlotInfo{}, fmt.Errorf("no token matches %s; the module has: %s", s.describe(), describeTokens(slots))
		case 1:
			return found[0], nil
		}
		return SlotInfo{}, fmt.Errorf("%d tokens match %s: choose one with --slot or a pkcs11: URI with serial=; the module has: %s",
			len(found), s.describe(), describeTokens(found))
	}
	for _, sl := range slots {
		if sl.Token != nil && sl.Token.Initialized() {
			found = append(found, sl)
		}
	}
	if s.nssDB != "" {
		for _, sl := range found {
			if sl.Token.Label == nssKeyDBToken {
				return sl, nil
			}
		}
	}
	switch len(found) {
	case 0:
		return SlotInfo{}, fmt.Errorf("the module has no initialised token (%s)", describeTokens(slots))
	case 1:
		return found[0], nil
	}
	return SlotInfo{}, fmt.Errorf("the module has %d tokens: choose one with --token-label or --slot (env TRENT_PKCS11_TOKEN_LABEL, TRENT_PKCS11_SLOT) or a pkcs11: URI: %s",
		len(found), describeTokens(found))
}

func (s selection) describe() string {
	var parts []string
	if s.slot != nil {
		parts = append(parts, "slot "+strconv.FormatUint(uint64(*s.slot), 10))
	}
	for _, kv := range [][2]string{{"label", s.label}, {"serial", s.serial}, {"model", s.model},
		{"manufacturer", s.manufacturer}, {"slot description", s.slotDescription}, {"slot manufacturer", s.slotManufacturer}} {
		if kv[1] != "" {
			parts = append(parts, fmt.Sprintf("%s %q", kv[0], kv[1]))
		}
	}
	return strings.Join(parts, ", ")
}

// checkLibrary compares the URI's library attributes with C_GetInfo.
func (s selection) checkLibrary(manufacturer, description, version string) error {
	ok := (s.libManufacturer == "" || s.libManufacturer == manufacturer) &&
		(s.libDescription == "" || s.libDescription == description) &&
		(s.libVersion == "" || normVersion(s.libVersion) == normVersion(version))
	if !ok {
		return fmt.Errorf("the module %q is %q by %q, version %s: not the library the pkcs11: URI names", s.module, description, manufacturer, version)
	}
	return nil
}

// normVersion reads "M" (RFC 7512: minor 0) or "M.N" as numbers.
func normVersion(v string) [2]uint64 {
	major, minor, _ := strings.Cut(v, ".")
	a, _ := strconv.ParseUint(major, 10, 64)
	b, _ := strconv.ParseUint(minor, 10, 64)
	return [2]uint64{a, b}
}
