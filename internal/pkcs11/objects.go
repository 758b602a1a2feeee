//go:build cgo

package pkcs11

import (
	"encoding/binary"
	"fmt"
	"math/big"

	mp "github.com/miekg/pkcs11"
)

// FindObjects lists the objects the session can see (private objects only
// after a login) that match the filter, in the token's order.
func (t *Token) FindObjects(f Filter) ([]Object, error) {
	if err := t.lock(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	var tmpl []*mp.Attribute
	if f.Class != "" {
		c, err := classValue(f.Class)
		if err != nil {
			return nil, err
		}
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_CLASS, c))
	}
	if f.Label != "" {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_LABEL, f.Label))
	}
	if len(f.ID) > 0 {
		tmpl = append(tmpl, mp.NewAttribute(mp.CKA_ID, f.ID))
	}
	handles, err := t.find(tmpl)
	if err != nil {
		return nil, err
	}
	out := make([]Object, 0, len(handles))
	for _, h := range handles {
		o, err := t.describe(h)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func (t *Token) find(tmpl []*mp.Attribute) ([]mp.ObjectHandle, error) {
	if err := t.ctx.FindObjectsInit(t.sess, tmpl); err != nil {
		return nil, p11err("C_FindObjectsInit", err, "")
	}
	var all []mp.ObjectHandle
	for {
		hs, _, err := t.ctx.FindObjects(t.sess, 100)
		if err != nil {
			_ = t.ctx.FindObjectsFinal(t.sess)
			return nil, p11err("C_FindObjects", err, "")
		}
		if len(hs) == 0 {
			break
		}
		all = append(all, hs...)
	}
	if err := t.ctx.FindObjectsFinal(t.sess); err != nil {
		return nil, p11err("C_FindObjectsFinal", err, "")
	}
	return all, nil
}

// describe reads what an object listing shows.
func (t *Token) describe(h mp.ObjectHandle) (Object, error) {
	class, ok, err := t.ulong(h, mp.CKA_CLASS)
	if err != nil {
		return Object{}, err
	}
	o := Object{Handle: Handle(h), Class: "unknown"}
	if ok {
		o.Class = className(class)
	}
	if v, ok, err := t.attr(h, mp.CKA_LABEL); err == nil && ok {
		o.Label = string(v)
	}
	if v, ok, err := t.attr(h, mp.CKA_ID); err == nil && ok {
		o.ID = v
	}
	if class != mp.CKO_PUBLIC_KEY && class != mp.CKO_PRIVATE_KEY && class != mp.CKO_SECRET_KEY {
		return o, nil
	}
	kt, ok, err := t.ulong(h, mp.CKA_KEY_TYPE)
	if err != nil || !ok {
		return o, err
	}
	o.KeyType = keyTypeName(kt)
	o.Bits = t.keyBits(h, kt)
	return o, nil
}

// keyBits is an RSA key's modulus size or a secret key's length in bits.
func (t *Token) keyBits(h mp.ObjectHandle, keyType uint) int {
	if keyType == mp.CKK_RSA {
		if n, ok, err := t.ulong(h, mp.CKA_MODULUS_BITS); err == nil && ok {
			return int(n)
		}
		if m, ok, err := t.attr(h, mp.CKA_MODULUS); err == nil && ok {
			return new(big.Int).SetBytes(m).BitLen()
		}
		return 0
	}
	if n, ok, err := t.ulong(h, mp.CKA_VALUE_LEN); err == nil && ok {
		return 8 * int(n)
	}
	return 0
}

// attr reads one attribute. ok is false when the object has no such
// attribute or the token will not reveal it; err is for anything else (a
// bad handle).
func (t *Token) attr(h mp.ObjectHandle, typ uint) (v []byte, ok bool, err error) {
	a, err := t.ctx.GetAttributeValue(t.sess, h, []*mp.Attribute{mp.NewAttribute(typ, nil)})
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

func (t *Token) boolAttr(h mp.ObjectHandle, typ uint) (*bool, error) {
	v, ok, err := t.attr(h, typ)
	if err != nil || !ok || len(v) != 1 {
		return nil, err
	}
	b := v[0] != 0
	return &b, nil
}

func (t *Token) ulong(h mp.ObjectHandle, typ uint) (uint, bool, error) {
	v, ok, err := t.attr(h, typ)
	if err != nil || !ok {
		return 0, false, err
	}
	switch len(v) {
	case 8:
		return uint(binary.NativeEndian.Uint64(v)), true, nil
	case 4:
		return uint(binary.NativeEndian.Uint32(v)), true, nil
	}
	return 0, false, fmt.Errorf("C_GetAttributeValue: attribute 0x%X has %d bytes, not a CK_ULONG", typ, len(v))
}

// Attributes reads every common attribute of an object (see Attrs).
func (t *Token) Attributes(h Handle) (Attrs, error) {
	if err := t.lock(); err != nil {
		return Attrs{}, err
	}
	defer t.mu.Unlock()
	return t.attributes(mp.ObjectHandle(h))
}

// boolAttrTypes maps the boolean attributes of Attrs and BoolAttrs to
// CKA_* values.
var boolAttrTypes = map[string]uint{
	"token": mp.CKA_TOKEN, "private": mp.CKA_PRIVATE, "encrypt": mp.CKA_ENCRYPT, "decrypt": mp.CKA_DECRYPT,
	"wrap": mp.CKA_WRAP, "unwrap": mp.CKA_UNWRAP, "sign": mp.CKA_SIGN, "verify": mp.CKA_VERIFY,
	"derive": mp.CKA_DERIVE, "sensitive": mp.CKA_SENSITIVE, "extractable": mp.CKA_EXTRACTABLE,
	"always_sensitive": mp.CKA_ALWAYS_SENSITIVE, "never_extractable": mp.CKA_NEVER_EXTRACTABLE,
	"modifiable": mp.CKA_MODIFIABLE, "local": mp.CKA_LOCAL,
}

func (t *Token) attributes(h mp.ObjectHandle) (Attrs, error) {
	class, ok, err := t.ulong(h, mp.CKA_CLASS)
	if err != nil {
		return Attrs{}, err
	}
	a := Attrs{Handle: Handle(h), Class: "unknown"}
	if ok {
		a.Class = className(class)
	}
	bools := map[string]**bool{
		"token": &a.Token, "private": &a.Private, "encrypt": &a.Encrypt, "decrypt": &a.Decrypt,
		"wrap": &a.Wrap, "unwrap": &a.Unwrap, "sign": &a.Sign, "verify": &a.Verify, "derive": &a.Derive,
		"sensitive": &a.Sensitive, "extractable": &a.Extractable, "always_sensitive": &a.AlwaysSensitive,
		"never_extractable": &a.NeverExtractable, "modifiable": &a.Modifiable, "local": &a.Local,
	}
	for name, p := range bools {
		if *p, err = t.boolAttr(h, boolAttrTypes[name]); err != nil {
			return Attrs{}, err
		}
	}
	if v, ok, err := t.attr(h, mp.CKA_LABEL); err != nil {
		return Attrs{}, err
	} else if ok {
		s := string(v)
		a.Label = &s
	}
	if kt, ok, err := t.ulong(h, mp.CKA_KEY_TYPE); err != nil {
		return Attrs{}, err
	} else if ok {
		a.KeyType = keyTypeName(kt)
	}
	for typ, p := range map[uint]*Hex{mp.CKA_ID: &a.ID, mp.CKA_MODULUS: &a.Modulus,
		mp.CKA_PUBLIC_EXPONENT: &a.PublicExponent, mp.CKA_CHECK_VALUE: &a.CheckValue} {
		if v, ok, err := t.attr(h, typ); err != nil {
			return Attrs{}, err
		} else if ok {
			*p = v
		}
	}
	for typ, p := range map[uint]**int{mp.CKA_MODULUS_BITS: &a.ModulusBits, mp.CKA_VALUE_LEN: &a.ValueLen} {
		if n, ok, err := t.ulong(h, typ); err != nil {
			return Attrs{}, err
		} else if ok {
			v := int(n)
			*p = &v
		}
	}
	return a, nil
}

// DestroyObject destroys an object.
func (t *Token) DestroyObject(h Handle) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if err := t.ctx.DestroyObject(t.sess, mp.ObjectHandle(h)); err != nil {
		return p11err("C_DestroyObject", err, "")
	}
	return nil
}
