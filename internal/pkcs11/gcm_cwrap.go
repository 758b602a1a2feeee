//go:build cgo

package pkcs11

/*
// C_Encrypt and C_Decrypt have the same signature.
typedef unsigned long (*trent_cryptfn)(unsigned long, unsigned char *, unsigned long, unsigned char *, unsigned long *);

// trent_crypt calls C_Encrypt or C_Decrypt fn once, with the caller's buffers.
static unsigned long trent_crypt(void *fn, unsigned long sess, unsigned char *in, unsigned long in_len,
		unsigned char *out, unsigned long *out_len) {
	return ((trent_cryptfn)fn)(sess, in, in_len, out, out_len);
}
*/
import "C"

import (
	"unsafe"

	mp "github.com/miekg/pkcs11"
)

// cryptOnce makes the single-part C_Encrypt (fnEncrypt) or C_Decrypt
// (fnDecrypt) call of an operation the caller has initialised on session
// sh of module m, with an output buffer of size bytes, and
// returns the output (never nil).
//
// miekg/pkcs11's Encrypt and Decrypt ask the output length first (a NULL
// buffer) and trust the answer, and NSS softokn answers C_Encrypt with
// CKM_AES_GCM a length without room for the tag, so its second call fails
// with CKR_BUFFER_TOO_SMALL. With a buffer the caller knows is large
// enough (GCM: the input plus the tag to encrypt, the input to decrypt)
// there is one call and no question, on every module alike.
//
// Both buffers are Go memory, passed to the module for the duration of
// the call only (PKCS#11 modules do not keep a single-part call's
// buffers), so no copy of the plaintext is left in C memory. On an error
// the output buffer is wiped: a module may have written part of a
// plaintext before refusing the tag.
func cryptOnce(m *module, fnum int, sh mp.SessionHandle, in []byte, size int) ([]byte, error) {
	out := make([]byte, max(size, 1)) // a buffer to point into even for size 0
	var one [1]byte
	inPtr := &one[0] // modules refuse a NULL input pointer, even for 0 bytes
	if len(in) > 0 {
		inPtr = &in[0]
	}
	n := C.ulong(size)
	err := m.call(fnum, func(fn unsafe.Pointer) uint {
		return uint(C.trent_crypt(fn, C.ulong(sh), (*C.uchar)(unsafe.Pointer(inPtr)), C.ulong(len(in)),
			(*C.uchar)(unsafe.Pointer(&out[0])), &n))
	})
	if err != nil {
		clear(out)
		return nil, err
	}
	if int(n) > size { // a module that answers success with more than fits
		clear(out)
		return nil, mp.Error(mp.CKR_GENERAL_ERROR)
	}
	return out[:n:n], nil
}
