//go:build cgo

package pkcs11

import (
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"

	mp "github.com/miekg/pkcs11"
)

// GenerateKeyPair generates an RSA or EC key pair in the token with the
// attributes of spec (see KeyPairSpec for which half gets which) and
// returns the handles of the public and private keys. RSA keys have the
// public exponent 65537. It checks first that the token offers the
// mechanism; a curve the token does not know is an error that says so.
func (t *Token) GenerateKeyPair(spec KeyPairSpec) (pub, priv Handle, err error) {
	if err := spec.check(); err != nil {
		return 0, 0, err
	}
	if err := t.lock(); err != nil {
		return 0, 0, err
	}
	defer t.mu.Unlock()
	mech, keyType := uint(mp.CKM_RSA_PKCS_KEY_PAIR_GEN), uint(mp.CKK_RSA)
	if spec.Type == KeyTypeEC {
		mech, keyType = mp.CKM_EC_KEY_PAIR_GEN, mp.CKK_EC
	}
	if err := t.requireMechanism(mech, ckfGenerateKeyPair, "generate a key pair"); err != nil {
		return 0, 0, err
	}
	pubT := []*mp.Attribute{
		mp.NewAttribute(mp.CKA_CLASS, mp.CKO_PUBLIC_KEY),
		mp.NewAttribute(mp.CKA_KEY_TYPE, keyType),
		mp.NewAttribute(mp.CKA_TOKEN, spec.Token),
		mp.NewAttribute(mp.CKA_PRIVATE, false),
		mp.NewAttribute(mp.CKA_MODIFIABLE, spec.Modifiable),
		mp.NewAttribute(mp.CKA_VERIFY, spec.Verify),
		mp.NewAttribute(mp.CKA_ENCRYPT, spec.Encrypt),
		mp.NewAttribute(mp.CKA_WRAP, spec.Wrap),
	}
	privT := []*mp.Attribute{
		mp.NewAttribute(mp.CKA_CLASS, mp.CKO_PRIVATE_KEY),
		mp.NewAttribute(mp.CKA_KEY_TYPE, keyType),
		mp.NewAttribute(mp.CKA_TOKEN, spec.Token),
		mp.NewAttribute(mp.CKA_PRIVATE, spec.Private),
		mp.NewAttribute(mp.CKA_SENSITIVE, spec.Sensitive),
		mp.NewAttribute(mp.CKA_EXTRACTABLE, spec.Extractable),
		mp.NewAttribute(mp.CKA_MODIFIABLE, spec.Modifiable),
		mp.NewAttribute(mp.CKA_SIGN, spec.Sign),
		mp.NewAttribute(mp.CKA_DECRYPT, spec.Decrypt),
		mp.NewAttribute(mp.CKA_UNWRAP, spec.Unwrap),
		mp.NewAttribute(mp.CKA_DERIVE, spec.Derive),
	}
	if spec.Type == KeyTypeRSA {
		pubT = append(pubT, mp.NewAttribute(mp.CKA_MODULUS_BITS, spec.Bits),
			mp.NewAttribute(mp.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}))
	} else {
		params, err := asn1.Marshal(Curves[spec.Curve])
		if err != nil {
			return 0, 0, err
		}
		pubT = append(pubT, mp.NewAttribute(mp.CKA_EC_PARAMS, params))
	}
	for _, tmpl := range []*[]*mp.Attribute{&pubT, &privT} {
		if spec.Label != "" {
			*tmpl = append(*tmpl, mp.NewAttribute(mp.CKA_LABEL, spec.Label))
		}
		if len(spec.ID) > 0 {
			*tmpl = append(*tmpl, mp.NewAttribute(mp.CKA_ID, spec.ID))
		}
	}
	ph, kh, err := t.ctx.GenerateKeyPair(t.sess, []*mp.Mechanism{mp.NewMechanism(mech, nil)}, pubT, privT)
	if err != nil {
		advice := ""
		switch {
		case isRV(err, mp.CKR_USER_NOT_LOGGED_IN) && spec.Private:
			advice = "a private key needs a login: give the PIN (--pin-file, TRENT_PKCS11_PIN, or at the prompt)"
		case spec.Type == KeyTypeEC && (isRV(err, mp.CKR_CURVE_NOT_SUPPORTED) || isRV(err, mp.CKR_DOMAIN_PARAMS_INVALID) || isRV(err, mp.CKR_TEMPLATE_INCONSISTENT)):
			advice = fmt.Sprintf("the token does not support the curve %s: choose another curve or another token", spec.Curve)
		}
		return 0, 0, p11err("C_GenerateKeyPair", err, advice)
	}
	return Handle(ph), Handle(kh), nil
}

// PublicKeyDER returns the DER SubjectPublicKeyInfo of an RSA or EC public
// key object, as KMS's GetPublicKey returns it, read from CKA_MODULUS and
// CKA_PUBLIC_EXPONENT or CKA_EC_PARAMS and CKA_EC_POINT. The EC point is
// taken either DER-wrapped in an OCTET STRING (PKCS#11) or raw (some
// tokens), uncompressed.
func (t *Token) PublicKeyDER(h Handle) ([]byte, error) {
	if err := t.lock(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	oh := mp.ObjectHandle(h)
	class, _, err := t.ulong(oh, mp.CKA_CLASS)
	if err != nil {
		return nil, err
	}
	if class != mp.CKO_PUBLIC_KEY {
		return nil, fmt.Errorf("handle %d is a %s, not a public key", h, className(class))
	}
	kt, _, err := t.ulong(oh, mp.CKA_KEY_TYPE)
	if err != nil {
		return nil, err
	}
	switch kt {
	case mp.CKK_RSA:
		n, ok1, err1 := t.attr(oh, mp.CKA_MODULUS)
		e, ok2, err2 := t.attr(oh, mp.CKA_PUBLIC_EXPONENT)
		if err1 != nil || err2 != nil || !ok1 || !ok2 {
			return nil, fmt.Errorf("the RSA public key (handle %d) does not reveal its modulus and exponent", h)
		}
		return x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())})
	case mp.CKK_EC:
		params, ok1, err1 := t.attr(oh, mp.CKA_EC_PARAMS)
		point, ok2, err2 := t.attr(oh, mp.CKA_EC_POINT)
		if err1 != nil || err2 != nil || !ok1 || !ok2 {
			return nil, fmt.Errorf("the EC public key (handle %d) does not reveal its parameters and point", h)
		}
		return ecSPKI(params, point)
	}
	return nil, fmt.Errorf("the public key (handle %d) is %s: Trent reads RSA and EC public keys", h, keyTypeName(kt))
}

// ecSPKI builds an EC SubjectPublicKeyInfo by hand, since crypto/x509
// does not know secp256k1.
func ecSPKI(params, point []byte) ([]byte, error) {
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(params, &oid); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("CKA_EC_PARAMS is not a named curve OID")
	}
	var raw []byte
	if rest, err := asn1.Unmarshal(point, &raw); err == nil && len(rest) == 0 && len(raw) > 0 && raw[0] == 4 {
		point = raw
	}
	if len(point) == 0 || point[0] != 4 {
		return nil, fmt.Errorf("CKA_EC_POINT is not an uncompressed point")
	}
	return asn1.Marshal(struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, Parameters: asn1.RawValue{FullBytes: params}},
		PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)},
	})
}
