//go:build cgo

package pkcs11

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

func TestSlots(t *testing.T) {
	mod := pkcs11test.SoftHSM(t)
	slots, err := Slots(Config{Module: mod, TokenLabel: "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	var found *TokenInfo
	for _, s := range slots {
		if s.Token != nil && s.Token.Label == pkcs11test.SoftHSMLabel {
			found = s.Token
			if !slices.Contains(s.Flags, "TOKEN_PRESENT") {
				t.Errorf("slot flags %v", s.Flags)
			}
		}
	}
	if found == nil {
		t.Fatalf("token %q not in %+v", pkcs11test.SoftHSMLabel, slots)
	}
	if found.Model != "SoftHSM v2" || found.Serial == "" || found.Firmware == "" || !found.LoginRequired() || !found.Initialized() ||
		!slices.Contains(found.Flags, "USER_PIN_INITIALIZED") {
		t.Errorf("token info %+v", found)
	}
	nss, err := Slots(Config{NSSDB: pkcs11test.NSSDB(t)})
	if err != nil || len(nss) != 2 || nss[0].Token.Label != nssGenericToken || nss[1].Token.Label != nssKeyDBToken {
		t.Errorf("NSS slots %+v, %v", nss, err)
	}
	// RFC 7512 module-name: libsoftokn3.so on the loader's path.
	nss, err = Slots(Config{NSSDB: pkcs11test.NSSDB(t), URI: &URI{ModuleName: "softokn3"}})
	if err != nil || len(nss) != 2 {
		t.Errorf("module-name=softokn3: %+v, %v", nss, err)
	}
}

func TestOpenSelection(t *testing.T) {
	mod := pkcs11test.SoftHSM(t)
	pin := func(TokenInfo) (string, error) { return pkcs11test.SoftHSMPIN, nil }
	first, err := Open(Config{Module: mod, TokenLabel: pkcs11test.SoftHSMLabel, PIN: pin})
	if err != nil {
		t.Fatal(err)
	}
	info := first.Info()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := first.FindObjects(Filter{}); err == nil {
		t.Error("FindObjects after Close worked")
	}
	slot := info.Slot
	for name, cfg := range map[string]Config{
		"slot":        {Module: mod, Slot: &slot},
		"only token":  {Module: mod},
		"URI":         {URI: &URI{ModulePath: mod, Token: pkcs11test.SoftHSMLabel, Serial: info.Serial}},
		"URI slot-id": {Module: mod, URI: &URI{SlotID: &slot, LibraryManufacturer: "SoftHSM"}},
	} {
		cfg.PIN = pin
		tok, err := Open(cfg)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if tok.Info().Serial != info.Serial {
			t.Errorf("%s: opened %+v", name, tok.Info())
		}
		_ = tok.Close()
	}
	_, err = Open(Config{Module: mod, TokenLabel: "no such token"})
	wantErr(t, err, `no token matches label "no such token"; the module has: slot `, `token "trent-test" (serial `)
	_, err = Open(Config{Module: mod, URI: &URI{LibraryManufacturer: "Thales"}})
	wantErr(t, err, `not the library the pkcs11: URI names`)
}

// countAndClose counts the SoftHSM token's objects with a Token closed
// right after: a Token left open keeps the login, which would hide a
// wrong PIN (the login state is per process and token).
func countAndClose(t *testing.T) int {
	t.Helper()
	tok, err := Open(softHSMConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	return countObjects(t, tok)
}

func TestOpenWrongPIN(t *testing.T) {
	before := countAndClose(t)
	cfg := softHSMConfig(t)
	cfg.PIN = func(TokenInfo) (string, error) { return "0000", nil }
	_, err := Open(cfg)
	wantErr(t, err, `token "trent-test" (slot `, "C_Login: CKR_PIN_INCORRECT (0xA0): the PIN is wrong; tokens lock the user PIN after a few failures")
	if !IsCode(err, "CKR_PIN_INCORRECT") {
		t.Errorf("IsCode: %v", err)
	}
	if after := countAndClose(t); after != before {
		t.Errorf("objects: %d before, %d after", before, after)
	}
}

func TestOpenPINOnlyWhenNeeded(t *testing.T) {
	db := pkcs11test.NSSDB(t)
	called := false
	tok, err := Open(Config{NSSDB: db, PIN: func(TokenInfo) (string, error) { called = true; return "", nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	if tok.Info().Label != nssKeyDBToken || called {
		t.Errorf("opened %q, PIN asked: %v", tok.Info().Label, called)
	}
	// A token that needs a login, with a PIN function that fails; and
	// with another Token of the process logged in, no PIN is asked.
	cfg := softHSMConfig(t)
	cfg.PIN = func(TokenInfo) (string, error) { return "", os.ErrNotExist }
	_, err = Open(cfg)
	wantErr(t, err, "file does not exist")
	openSoftHSM(t)
	again, err := Open(cfg)
	if err != nil {
		t.Fatalf("with a logged-in Token open: %v", err)
	}
	_ = again.Close()
}

func TestOpenMissingModule(t *testing.T) {
	_, err := Open(Config{Module: "/nonexistent/libpkcs11.so"})
	wantErr(t, err, "PKCS#11 module /nonexistent/libpkcs11.so: no such file: install the token's PKCS#11 library or give its path with --module (env TRENT_PKCS11_MODULE)")
	_, err = Open(Config{Module: "libnotthere-trent.so"})
	wantErr(t, err, "cannot load PKCS#11 module libnotthere-trent.so: dlopen or C_GetFunctionList failed")
	notPKCS11 := filepath.Join(t.TempDir(), "lib.so")
	if err := os.WriteFile(notPKCS11, []byte("not a library"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(Config{Module: notPKCS11})
	wantErr(t, err, "cannot load PKCS#11 module", "(ldd "+notPKCS11+")")
	_, err = Slots(Config{Module: "/nonexistent/libpkcs11.so"})
	wantErr(t, err, "no such file")
}

func TestOpenNSSWithoutDB(t *testing.T) {
	pkcs11test.NSSDB(t) // skips if NSS is missing
	_, err := Open(Config{Module: pkcs11test.NSSModule})
	wantErr(t, err, "C_Initialize: CKR_ARGUMENTS_BAD (0x7): the module refused initialisation without parameters; if it is NSS softokn (libsoftokn3.so), give its database directory with --nss-db")
	_, err = Open(Config{NSSDB: t.TempDir()})
	wantErr(t, err, "no key4.db there", "certutil -N -d sql:")
	// One database per process: a second one while the first is open.
	tok := openNSS(t)
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "key4.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(Config{Module: pkcs11test.NSSModule, NSSDB: other})
	wantErr(t, err, "is already in use in this process with NSS database")
	_ = tok
}

// TestSharedModule opens two Tokens on one module: closing one leaves the
// other working, and they may be used concurrently.
func TestSharedModule(t *testing.T) {
	a, b := openSoftHSM(t), openSoftHSM(t)
	var wg sync.WaitGroup
	for _, tok := range []*Token{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := tok.Mechanisms(); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	_ = a.Close()
	if _, err := b.FindObjects(Filter{}); err != nil {
		t.Fatalf("second Token after closing the first: %v", err)
	}
}

func TestMechanisms(t *testing.T) {
	for _, k := range tokenKinds {
		ms, err := k.open(t).Mechanisms()
		if err != nil {
			t.Fatal(err)
		}
		var oaep *Mechanism
		for i := range ms {
			if ms[i].Name == "CKM_RSA_PKCS_OAEP" {
				oaep = &ms[i]
			}
		}
		if oaep == nil || !slices.Contains(oaep.Flags, "wrap") || oaep.Type != 9 {
			t.Errorf("%s: OAEP %+v", k.name, oaep)
		}
	}
}
