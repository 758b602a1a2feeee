//go:build cgo

package pkcs11

// #include <stdlib.h>
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	mp "github.com/miekg/pkcs11"
)

// A module is a loaded, initialised PKCS#11 library. C_Initialize and
// C_Finalize act on the whole process, so a module is shared by every Token
// of the process that uses it and finalised when the last one closes.
type module struct {
	key, path, nssDB string
	ctx              *mp.Ctx
	refs             int
	reserved         *C.char // NSS parameters; freed after C_Finalize
	finalize         bool    // this process's C_Initialize succeeded

	flOnce sync.Once      // looks up fl on first use (module.call)
	fl     unsafe.Pointer // the module's CK_FUNCTION_LIST, or nil
}

var (
	modulesMu sync.Mutex
	modules   = map[string]*module{}
)

// loadModule returns the module at path, loading and initialising it on
// first use. nssDB, if set, is passed to NSS softokn in C_Initialize;
// flag is how the user gives the module (Config.ModuleFlag), for messages.
func loadModule(path, nssDB, flag string) (*module, error) {
	// NSS names its databases sql:DIR (what certutil -d takes); the
	// directory is what C_Initialize's configdir wants.
	nssDB = strings.TrimPrefix(nssDB, "sql:")
	key := path
	if strings.Contains(path, "/") {
		if _, err := os.Stat(path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				if flag == "" {
					flag = "--module"
				}
				return nil, fmt.Errorf("PKCS#11 module %s: no such file: install the token's PKCS#11 library or give its path with %s (env TRENT_PKCS11_MODULE)", path, flag)
			}
			return nil, fmt.Errorf("PKCS#11 module %s: %w", path, err)
		}
		if real, err := filepath.EvalSymlinks(path); err == nil {
			key = real
		}
	}
	if nssDB != "" {
		if err := checkNSSDB(nssDB); err != nil {
			return nil, err
		}
	}
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if m := modules[key]; m != nil {
		if m.nssDB != nssDB {
			return nil, fmt.Errorf("PKCS#11 module %s is already in use in this process with NSS database %q; NSS softokn opens one database per process", path, m.nssDB)
		}
		m.refs++
		return m, nil
	}
	ctx := mp.New(path)
	if ctx == nil {
		return nil, fmt.Errorf("cannot load PKCS#11 module %s: dlopen or C_GetFunctionList failed; check that it is a PKCS#11 library for this architecture and that its dependencies are installed (ldd %s)", path, path)
	}
	m := &module{key: key, path: path, nssDB: nssDB, ctx: ctx, refs: 1}
	var opts []mp.InitializeOption
	if nssDB != "" {
		m.reserved = C.CString(fmt.Sprintf("configdir='sql:%s' certPrefix='' keyPrefix='' secmod='secmod.db' flags=", nssDB))
		opts = append(opts, mp.InitializeWithReserved(unsafe.Pointer(m.reserved)))
	}
	err := ctx.Initialize(opts...)
	switch {
	case err == nil:
		m.finalize = true
	case errors.Is(err, mp.Error(mp.CKR_CRYPTOKI_ALREADY_INITIALIZED)):
		// Another part of the process initialised it: use it, leave it.
	default:
		advice := ""
		if errors.Is(err, mp.Error(mp.CKR_ARGUMENTS_BAD)) && nssDB == "" {
			advice = "the module refused initialisation without parameters; if it is NSS softokn (libsoftokn3.so), give its database directory with --nss-db (env TRENT_NSS_DB)"
		}
		m.free()
		return nil, fmt.Errorf("PKCS#11 module %s: %w", path, p11err("C_Initialize", err, advice))
	}
	modules[key] = m
	return m, nil
}

// checkNSSDB checks that dir is an NSS sql: database.
func checkNSSDB(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "key4.db")); err != nil {
		return fmt.Errorf("NSS database %s: no key4.db there (%v); create one with: certutil -N -d sql:%s --empty-password", dir, err, dir)
	}
	return nil
}

// release drops one reference; the last finalises and unloads the module.
func (m *module) release() {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	m.refs--
	if m.refs > 0 {
		return
	}
	delete(modules, m.key)
	if m.finalize {
		_ = m.ctx.Finalize()
	}
	m.free()
}

func (m *module) free() {
	m.ctx.Destroy()
	if m.reserved != nil {
		C.free(unsafe.Pointer(m.reserved))
		m.reserved = nil
	}
}

// slots lists every slot of the module with its token, if any.
func (m *module) slots() ([]SlotInfo, error) {
	ids, err := m.ctx.GetSlotList(false)
	if err != nil {
		return nil, p11err("C_GetSlotList", err, "")
	}
	out := make([]SlotInfo, 0, len(ids))
	for _, id := range ids {
		si, err := m.ctx.GetSlotInfo(id)
		if err != nil {
			return nil, p11err("C_GetSlotInfo", err, "")
		}
		s := SlotInfo{ID: id, Description: trimPad(si.SlotDescription), Manufacturer: trimPad(si.ManufacturerID),
			Flags: flagNames(si.Flags, slotFlagNames)}
		if si.Flags&mp.CKF_TOKEN_PRESENT != 0 {
			ti, err := m.ctx.GetTokenInfo(id)
			if err != nil {
				return nil, p11err("C_GetTokenInfo", err, "")
			}
			s.Token = &TokenInfo{Slot: id, Label: trimPad(ti.Label), Manufacturer: trimPad(ti.ManufacturerID),
				Model: trimPad(ti.Model), Serial: trimPad(ti.SerialNumber),
				Firmware: versionString(ti.FirmwareVersion.Major, ti.FirmwareVersion.Minor),
				Hardware: versionString(ti.HardwareVersion.Major, ti.HardwareVersion.Minor),
				Flags:    flagNames(ti.Flags, tokenFlagNames), FlagBits: ti.Flags}
		}
		out = append(out, s)
	}
	return out, nil
}

// p11err turns a miekg/pkcs11 error into an *Error; advice, if not empty,
// replaces the table's.
func p11err(fn string, err error, advice string) error {
	var e mp.Error
	if errors.As(err, &e) {
		return newError(fn, uint(e), advice)
	}
	return fmt.Errorf("%s: %w", fn, err)
}

// isRV reports whether err is the PKCS#11 return code rv.
func isRV(err error, rv uint) bool {
	var e mp.Error
	return errors.As(err, &e) && uint(e) == rv
}

// codeOf returns the PKCS#11 return code in err, or CKR_GENERAL_ERROR.
func codeOf(err error) uint {
	var e mp.Error
	if errors.As(err, &e) {
		return uint(e)
	}
	return mp.CKR_GENERAL_ERROR
}

// tokenFlagNames and slotFlagNames name CK_TOKEN_INFO and CK_SLOT_INFO flags.
var tokenFlagNames = []flagName{
	{0x1, "RNG"}, {0x2, "WRITE_PROTECTED"}, {0x4, "LOGIN_REQUIRED"}, {0x8, "USER_PIN_INITIALIZED"},
	{0x20, "RESTORE_KEY_NOT_NEEDED"}, {0x40, "CLOCK_ON_TOKEN"}, {0x100, "PROTECTED_AUTHENTICATION_PATH"},
	{0x200, "DUAL_CRYPTO_OPERATIONS"}, {0x400, "TOKEN_INITIALIZED"}, {0x800, "SECONDARY_AUTHENTICATION"},
	{0x10000, "USER_PIN_COUNT_LOW"}, {0x20000, "USER_PIN_FINAL_TRY"}, {0x40000, "USER_PIN_LOCKED"},
	{0x80000, "USER_PIN_TO_BE_CHANGED"}, {0x100000, "SO_PIN_COUNT_LOW"}, {0x200000, "SO_PIN_FINAL_TRY"},
	{0x400000, "SO_PIN_LOCKED"}, {0x800000, "SO_PIN_TO_BE_CHANGED"}, {0x1000000, "ERROR_STATE"},
}

var slotFlagNames = []flagName{{0x1, "TOKEN_PRESENT"}, {0x2, "REMOVABLE_DEVICE"}, {0x4, "HW_SLOT"}}

// versionString formats a CK_VERSION.
func versionString(major, minor byte) string { return fmt.Sprintf("%d.%d", major, minor) }

// trimPad removes the space and NUL padding of PKCS#11 fixed-size strings.
func trimPad(s string) string { return strings.TrimRight(s, " \x00") }
