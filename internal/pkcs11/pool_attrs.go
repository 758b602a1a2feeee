//go:build cgo

// Reading a pooled key's type, size and usage attributes, for callers that
// report what a key may do (an XKS proxy's GetKeyMetadata).

package pkcs11

import (
	"encoding/binary"

	mp "github.com/miekg/pkcs11"
)

// KeyAttributes reads key's CKA_KEY_TYPE, CKA_VALUE_LEN and usage flags
// (CKA_ENCRYPT, DECRYPT, WRAP, UNWRAP, SIGN, VERIFY, DERIVE) on a pooled
// session, with the pool's recovery from a lost session. Only those fields
// of Attrs are set; an attribute the token does not reveal stays nil. A
// key that no longer exists gives an error wrapping ErrKeyNotFound.
func (p *Pool) KeyAttributes(key PoolKey) (Attrs, error) {
	var a Attrs
	err := p.do(func(s *poolSession) error {
		h, err := p.findKey(s, key)
		if err != nil {
			return err
		}
		a = Attrs{Handle: Handle(h), Class: "secret-key"}
		if v, ok, err := p.sessionAttr(s, h, mp.CKA_KEY_TYPE); err != nil {
			return err
		} else if ok {
			a.KeyType = keyTypeName(ulongOf(v))
		}
		if v, ok, err := p.sessionAttr(s, h, mp.CKA_VALUE_LEN); err != nil {
			return err
		} else if ok {
			n := int(ulongOf(v))
			a.ValueLen = &n
		}
		for typ, dst := range map[uint]**bool{mp.CKA_ENCRYPT: &a.Encrypt, mp.CKA_DECRYPT: &a.Decrypt,
			mp.CKA_WRAP: &a.Wrap, mp.CKA_UNWRAP: &a.Unwrap, mp.CKA_SIGN: &a.Sign, mp.CKA_VERIFY: &a.Verify,
			mp.CKA_DERIVE: &a.Derive} {
			v, ok, err := p.sessionAttr(s, h, typ)
			if err != nil {
				return err
			}
			if ok && len(v) == 1 {
				b := v[0] != 0
				*dst = &b
			}
		}
		return nil
	})
	return a, err
}

// sessionAttr is Token.attr on a pooled session.
func (p *Pool) sessionAttr(s *poolSession, h mp.ObjectHandle, typ uint) ([]byte, bool, error) {
	a, err := p.ctx.GetAttributeValue(s.h, h, []*mp.Attribute{mp.NewAttribute(typ, nil)})
	switch {
	case isRV(err, mp.CKR_ATTRIBUTE_TYPE_INVALID), isRV(err, mp.CKR_ATTRIBUTE_SENSITIVE):
		return nil, false, nil
	case err != nil:
		return nil, false, p11err("C_GetAttributeValue", err, "")
	case len(a) != 1 || a[0].Value == nil:
		return nil, false, nil
	}
	return a[0].Value, true, nil
}

// ulongOf decodes a CK_ULONG attribute value (4 or 8 bytes, native order).
func ulongOf(v []byte) uint {
	switch len(v) {
	case 8:
		return uint(binary.NativeEndian.Uint64(v))
	case 4:
		return uint(binary.NativeEndian.Uint32(v))
	}
	return 0
}
