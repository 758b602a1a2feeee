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

// trent_function returns function number n (1-based, pkcs11f.h's order)
// of the module at path if the process has loaded it already, with in *h
// the dlopen handle to give trent_release after the call; NULL if the
// module is not loaded or does not have that function.
static void *trent_function(const char *path, int n, void **h) {
	*h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (*h == NULL) return NULL;
	trent_getfl get = (trent_getfl)dlsym(*h, "C_GetFunctionList");
	trent_fl *fl = NULL;
	if (n < 1 || n > 68 || get == NULL || get(&fl) != 0 || fl == NULL || fl->fn[n-1] == NULL) {
		dlclose(*h);
		*h = NULL;
		return NULL;
	}
	return fl->fn[n-1];
}

static void trent_release(void *h) { dlclose(h); }

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

// callModule calls call with the C function pointer of function n of the
// module at path, which the process must have loaded (dlopen with
// RTLD_NOLOAD: the handle miekg/pkcs11 holds keeps it loaded; this one
// keeps it so for the duration of the call). call returns the CK_RV. This
// is how a function is called with arguments miekg/pkcs11 does not give:
// mostly an output buffer of our own size in one call, where miekg/pkcs11
// would ask the length first and trust the module's answer.
func callModule(path string, n int, call func(fn unsafe.Pointer) uint) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var h unsafe.Pointer
	fn := C.trent_function(cpath, C.int(n), &h)
	if fn == nil {
		return mp.Error(mp.CKR_GENERAL_ERROR)
	}
	defer C.trent_release(h)
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
	err := callModule(t.mod.path, fnWrapKey, func(fn unsafe.Pointer) uint {
		return uint(C.trent_wrap(fn, C.trent_ul(t.sess), C.trent_ul(mech), C.trent_ul(wrapping), C.trent_ul(key), (*C.uchar)(buf), &n))
	})
	if err != nil {
		return nil, err
	}
	return C.GoBytes(buf, C.int(n)), nil
}
