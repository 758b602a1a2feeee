//go:build cgo

package pkcs11test

// #include <stdlib.h>
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	mp "github.com/miekg/pkcs11"
)

// NSSKeyDBToken is the NSS softokn token that keeps token objects.
const NSSKeyDBToken = "NSS Certificate DB"

// ImportAESKey creates, with C_CreateObject, an AES secret key token
// object holding value (sensitive, extractable, modifiable, for encrypt
// and decrypt, as trent hsm keygen makes them) in the token labelled
// tokenLabel, logged in with pin if it is not empty (then the key is also
// private). For NSS softokn, nssDB is the database directory and
// tokenLabel NSSKeyDBToken. It is how a test gets a key whose bytes it
// knows into a token, to check offline what KMS did with it.
//
// It talks to the module directly (package pkcs11 imports this one in its
// tests), initialising and finalising it, so no pkcs11.Token of the same
// module may be open meanwhile.
func ImportAESKey(tb testing.TB, module, nssDB, tokenLabel, pin, label string, value []byte) {
	tb.Helper()
	if err := importAESKey(module, nssDB, tokenLabel, pin, label, value); err != nil {
		tb.Fatalf("ImportAESKey: %v", err)
	}
}

func importAESKey(module, nssDB, tokenLabel, pin, label string, value []byte) error {
	ctx := mp.New(module)
	if ctx == nil {
		return fmt.Errorf("cannot load %s", module)
	}
	defer ctx.Destroy()
	var opts []mp.InitializeOption
	if nssDB != "" {
		params := C.CString(fmt.Sprintf("configdir='sql:%s' certPrefix='' keyPrefix='' secmod='secmod.db' flags=", nssDB))
		defer C.free(unsafe.Pointer(params)) // after C_Finalize (deferred later, so run first)
		opts = append(opts, mp.InitializeWithReserved(unsafe.Pointer(params)))
	}
	switch err := ctx.Initialize(opts...); {
	case err == nil:
		defer func() { _ = ctx.Finalize() }()
	case errors.Is(err, mp.Error(mp.CKR_CRYPTOKI_ALREADY_INITIALIZED)):
	default:
		return fmt.Errorf("C_Initialize: %w", err)
	}
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		return fmt.Errorf("C_GetSlotList: %w", err)
	}
	slot, found := uint(0), false
	for _, s := range slots {
		if ti, err := ctx.GetTokenInfo(s); err == nil && strings.TrimRight(ti.Label, " ") == tokenLabel {
			slot, found = s, true
		}
	}
	if !found {
		return fmt.Errorf("no token labelled %q", tokenLabel)
	}
	sess, err := ctx.OpenSession(slot, mp.CKF_SERIAL_SESSION|mp.CKF_RW_SESSION)
	if err != nil {
		return fmt.Errorf("C_OpenSession: %w", err)
	}
	defer func() { _ = ctx.CloseSession(sess) }()
	if pin != "" {
		if err := ctx.Login(sess, mp.CKU_USER, pin); err != nil && !errors.Is(err, mp.Error(mp.CKR_USER_ALREADY_LOGGED_IN)) {
			return fmt.Errorf("C_Login: %w", err)
		}
	}
	_, err = ctx.CreateObject(sess, []*mp.Attribute{
		mp.NewAttribute(mp.CKA_CLASS, mp.CKO_SECRET_KEY), mp.NewAttribute(mp.CKA_KEY_TYPE, mp.CKK_AES),
		mp.NewAttribute(mp.CKA_TOKEN, true), mp.NewAttribute(mp.CKA_PRIVATE, pin != ""),
		mp.NewAttribute(mp.CKA_SENSITIVE, true), mp.NewAttribute(mp.CKA_EXTRACTABLE, true),
		mp.NewAttribute(mp.CKA_MODIFIABLE, true), mp.NewAttribute(mp.CKA_ENCRYPT, true),
		mp.NewAttribute(mp.CKA_DECRYPT, true), mp.NewAttribute(mp.CKA_LABEL, label),
		mp.NewAttribute(mp.CKA_VALUE, value),
	})
	if err != nil {
		return fmt.Errorf("C_CreateObject: %w", err)
	}
	return nil
}
