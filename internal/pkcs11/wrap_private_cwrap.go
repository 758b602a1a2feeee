//go:build cgo

package pkcs11

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

typedef unsigned long trent_ul;
typedef struct { trent_ul mechanism; void *param; trent_ul param_len; } trent_mech;
// The head of CK_FUNCTION_LIST: CK_VERSION, then the functions in the
// order of PKCS#11 2.40, C_WrapKey the 61st.
typedef struct { unsigned char major, minor; void *fn[61]; } trent_fl;
typedef trent_ul (*trent_getfl)(trent_fl **);
typedef trent_ul (*trent_wrapfn)(trent_ul, trent_mech *, trent_ul, trent_ul, unsigned char *, trent_ul *);

// trent_wrap calls the module's C_WrapKey once, with the caller's buffer.
static trent_ul trent_wrap(const char *path, trent_ul sess, trent_ul mech, trent_ul wrapping, trent_ul key,
		unsigned char *out, trent_ul *out_len) {
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (h == NULL) return 0x5;
	trent_getfl get = (trent_getfl)dlsym(h, "C_GetFunctionList");
	trent_fl *fl = NULL;
	trent_ul rv = get ? get(&fl) : 0x5;
	if (rv == 0 && fl != NULL) {
		trent_mech m = {mech, NULL, 0};
		rv = ((trent_wrapfn)fl->fn[60])(sess, &m, wrapping, key, out, out_len);
	} else if (rv == 0) {
		rv = 0x5;
	}
	dlclose(h);
	return rv;
}
*/
import "C"

import (
	"unsafe"

	mp "github.com/miekg/pkcs11"
)

// wrapKeyBuffered is C_WrapKey with a mechanism without parameters into a
// buffer of max bytes, in one call. miekg/pkcs11 asks the output length
// first, and NSS softokn answers too short a length for
// CKM_AES_KEY_WRAP_KWP with inputs that are not a multiple of 8 bytes, so
// its second call fails with CKR_BUFFER_TOO_SMALL; a buffer large enough
// from the start avoids the question. The module is the one already
// loaded (dlopen with RTLD_NOLOAD), on the Token's session.
func (t *Token) wrapKeyBuffered(mech uint, wrapping, key mp.ObjectHandle, max int) ([]byte, error) {
	path := C.CString(t.mod.path)
	defer C.free(unsafe.Pointer(path))
	buf := C.malloc(C.size_t(max))
	defer C.free(buf)
	n := C.trent_ul(max)
	rv := C.trent_wrap(path, C.trent_ul(t.sess), C.trent_ul(mech), C.trent_ul(wrapping), C.trent_ul(key), (*C.uchar)(buf), &n)
	if rv != 0 {
		return nil, mp.Error(rv)
	}
	return C.GoBytes(buf, C.int(n)), nil
}
