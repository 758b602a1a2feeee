//go:build cgo

package pkcs11

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

typedef unsigned long trent_ul;
// The head of CK_FUNCTION_LIST: CK_VERSION, then the 68 function pointers
// of PKCS#11 2.40 in the order of its pkcs11f.h.
typedef struct { unsigned char major, minor; void *fn[68]; } trent_fl;
typedef trent_ul (*trent_getfl)(trent_fl **);

// trent_function_list returns the CK_FUNCTION_LIST of the module at path
// if the process has loaded it already, else NULL. The extra dlopen handle
// is closed at once: the handle miekg/pkcs11 holds keeps the module, and so
// the list, loaded until the module is unloaded.
static void *trent_function_list(const char *path) {
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (h == NULL) return NULL;
	trent_getfl get = (trent_getfl)dlsym(h, "C_GetFunctionList");
	trent_fl *fl = NULL;
	if (get == NULL || get(&fl) != 0) fl = NULL;
	dlclose(h);
	return fl;
}

// trent_function returns function number n (1-based, pkcs11f.h's order)
// of the function list fl, or NULL.
static void *trent_function(void *fl, int n) {
	if (fl == NULL || n < 1 || n > 68) return NULL;
	return ((trent_fl *)fl)->fn[n-1];
}

typedef struct { trent_ul mechanism; void *param; trent_ul param_len; } trent_mech;
typedef trent_ul (*trent_wrapfn)(trent_ul, trent_mech *, trent_ul, trent_ul, unsigned char *, trent_ul *);

// trent_wrap calls C_WrapKey fn once, with the caller's buffer.
static trent_ul trent_wrap(void *fn, trent_ul sess, trent_ul mech, trent_ul wrapping, trent_ul key,
		unsigned char *out, trent_ul *out_len) {
	trent_mech m = {mech, NULL, 0};
	return ((trent_wrapfn)fn)(sess, &m, wrapping, key, out, out_len);
}
*/
import "C"

import (
	"unsafe"

	mp "github.com/miekg/pkcs11"
)

// Positions of functions in CK_FUNCTION_LIST (1-based, PKCS#11 2.40's
// pkcs11f.h, unchanged in 3.0's CK_FUNCTION_LIST).
const (
	fnEncrypt = 31
	fnDecrypt = 35
	fnWrapKey = 61
)

// call calls call with the C function pointer of function n of m, and
// returns its CK_RV as an error. This is how a function is called with
// arguments miekg/pkcs11 does not give: mostly an output buffer of our own
// size in one call, where miekg/pkcs11 would ask the length first and
// trust the module's answer. The function list is looked up once per
// module (it is on the path of every AES-GCM call of a root key or the
// XKS proxy); it stays valid while m is loaded, which the caller's
// reference to m guarantees.
func (m *module) call(n int, call func(fn unsafe.Pointer) uint) error {
	m.flOnce.Do(func() {
		cpath := C.CString(m.path)
		defer C.free(unsafe.Pointer(cpath))
		m.fl = C.trent_function_list(cpath)
	})
	fn := C.trent_function(m.fl, C.int(n))
	if fn == nil {
		return mp.Error(mp.CKR_GENERAL_ERROR)
	}
	if rv := call(fn); rv != 0 {
		return mp.Error(rv)
	}
	return nil
}

// wrapKeyBuffered is C_WrapKey with a mechanism without parameters into a
// buffer of max bytes, in one call. miekg/pkcs11 asks the output length
// first, and NSS softokn answers too short a length for
// CKM_AES_KEY_WRAP_KWP with inputs that are not a multiple of 8 bytes, so
// its second call fails with CKR_BUFFER_TOO_SMALL; a buffer large enough
// from the start avoids the question. It runs on the Token's session.
func (t *Token) wrapKeyBuffered(mech uint, wrapping, key mp.ObjectHandle, max int) ([]byte, error) {
	buf := C.malloc(C.size_t(max))
	defer C.free(buf)
	n := C.trent_ul(max)
	err := t.mod.call(fnWrapKey, func(fn unsafe.Pointer) uint {
		return uint(C.trent_wrap(fn, C.trent_ul(t.sess), C.trent_ul(mech), C.trent_ul(wrapping), C.trent_ul(key), (*C.uchar)(buf), &n))
	})
	if err != nil {
		return nil, err
	}
	return C.GoBytes(buf, C.int(n)), nil
}
