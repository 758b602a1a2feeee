package pkcs11

import (
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	u := &URI{ModulePath: "/lib/a.so", Token: "kms", SlotID: uintp(3), Serial: "123"}
	s, err := Config{URI: u}.resolve()
	if err != nil || s.module != "/lib/a.so" || s.label != "kms" || *s.slot != 3 || s.serial != "123" {
		t.Fatalf("resolve = %+v, %v", s, err)
	}
	if s, err := (Config{NSSDB: "/db"}).resolve(); err != nil || s.module != nssModule {
		t.Errorf("NSSDB default module: %+v, %v", s, err)
	}
	if s, err := (Config{URI: &URI{ModuleName: "softhsm2"}}).resolve(); err != nil || s.module != "libsofthsm2.so" {
		t.Errorf("module-name: %+v, %v", s, err)
	}
	if _, err := (Config{Module: "/usr/lib/softhsm/libsofthsm2.so", URI: &URI{ModuleName: "softhsm2"}}).resolve(); err != nil {
		t.Errorf("module and matching module-name: %v", err)
	}
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "no PKCS#11 module: give --module"},
		{Config{ModuleFlag: "--pkcs11-module"}, "no PKCS#11 module: give --pkcs11-module (env TRENT_PKCS11_MODULE) or module-path in the pkcs11: URI"},
		{Config{Module: "/a.so", URI: &URI{ModulePath: "/b.so"}}, `the module is given twice: "/a.so" and module-path="/b.so"`},
		{Config{Module: "/a.so", URI: &URI{ModuleName: "b"}}, `does not match module-name="b"`},
		{Config{Module: "/a.so", Slot: uintp(1), URI: &URI{SlotID: uintp(2)}}, "the slot is given twice: 1 and slot-id=2"},
		{Config{Module: "/a.so", TokenLabel: "x", URI: &URI{Token: "y"}}, `the token label is given twice: "x" and token="y"`},
		{Config{NSSDB: "/it's"}, "contains a quote"},
	} {
		if _, err := tt.cfg.resolve(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("resolve(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

func TestChoose(t *testing.T) {
	tok := func(label, serial string, init bool) *TokenInfo {
		ti := &TokenInfo{Label: label, Serial: serial, Model: "m"}
		if init {
			ti.FlagBits = ckfTokenInitialized
		}
		return ti
	}
	slots := []SlotInfo{
		{ID: 1, Description: "one", Token: tok("a", "s1", true)},
		{ID: 2, Description: "two", Token: tok("b", "s2", true)},
		{ID: 3, Description: "three", Token: tok("", "", false)},
		{ID: 4, Description: "empty"},
		{ID: 5, Description: "five", Token: tok("b", "s5", true)},
	}
	for _, tt := range []struct {
		sel  selection
		id   uint
		want string
	}{
		{selection{label: "a"}, 1, ""},
		{selection{slot: uintp(2)}, 2, ""},
		{selection{label: "b", serial: "s5"}, 5, ""},
		{selection{slotDescription: "two"}, 2, ""},
		{selection{label: "b"}, 0, `2 tokens match label "b": choose one with --slot`},
		{selection{label: "zz"}, 0, `no token matches label "zz"; the module has: slot 1: token "a" (serial s1); slot 2`},
		{selection{slot: uintp(4)}, 0, "no token matches slot 4"},
		{selection{}, 0, "the module has 3 tokens: choose one with --token-label or --slot"},
	} {
		got, err := tt.sel.choose(slots)
		if tt.want != "" {
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("choose(%+v) = %v, want error %q", tt.sel, err, tt.want)
			}
			continue
		}
		if err != nil || got.ID != tt.id {
			t.Errorf("choose(%+v) = slot %d, %v; want slot %d", tt.sel, got.ID, err, tt.id)
		}
	}
	// One initialised token: chosen without a selection.
	if got, err := (selection{}).choose(slots[2:4]); err == nil {
		t.Errorf("no initialised token: chose %+v", got)
	}
	if got, err := (selection{}).choose(slots[:1]); err != nil || got.ID != 1 {
		t.Errorf("single token: %+v, %v", got, err)
	}
	// NSS: the key database token by default.
	nss := []SlotInfo{{ID: 1, Token: tok(nssGenericToken, "0", true)}, {ID: 2, Token: tok(nssKeyDBToken, "0", true)}}
	if got, err := (selection{nssDB: "/db"}).choose(nss); err != nil || got.ID != 2 {
		t.Errorf("NSS default: %+v, %v", got, err)
	}
}

func TestCheckLibrary(t *testing.T) {
	s := selection{module: "/m.so", libManufacturer: "SoftHSM", libVersion: "2"}
	if err := s.checkLibrary("SoftHSM", "Implementation of PKCS11", "2.0"); err != nil {
		t.Error(err)
	}
	if err := s.checkLibrary("SoftHSM", "Implementation of PKCS11", "2.6"); err == nil {
		t.Error("library-version=2 matched 2.6")
	}
	if err := (selection{libDescription: "x"}).checkLibrary("a", "b", "1.0"); err == nil || !strings.Contains(err.Error(), "not the library the pkcs11: URI names") {
		t.Errorf("got %v", err)
	}
}
