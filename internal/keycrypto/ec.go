package keycrypto

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// pkcs8 is PrivateKeyInfo (RFC 5208). encoding/asn1 ignores the optional
// trailing attributes and the RFC 5958 public key.
type pkcs8 struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}

// ecPrivateKey is ECPrivateKey (RFC 5915). Explicit curve parameters in
// NamedCurveOID fail to parse, which is what AWS wants (import.md §1).
type ecPrivateKey struct {
	Version       int
	PrivateKey    []byte
	NamedCurveOID asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey     asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

type subjectPublicKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// ecKey is a private key on one of the curves of the model: the scalar d
// (curve.size bytes, big-endian) and the uncompressed public point.
type ecKey struct {
	c   *curve
	d   []byte
	pub []byte
}

func (k *ecKey) zero() { clear(k.d) }

// newECKey checks d (1 ≤ d < n) and derives the public point.
func newECKey(c *curve, d []byte) (*ecKey, error) {
	if len(d) != c.size {
		return nil, errors.New("keycrypto: EC private scalar has the wrong length")
	}
	if c.ecdh == nil {
		var s secp256k1.ModNScalar
		if overflow := s.SetByteSlice(d); overflow || s.IsZero() {
			return nil, errors.New("keycrypto: EC private scalar out of range")
		}
		pub := secp256k1.NewPrivateKey(&s).PubKey().SerializeUncompressed()
		s.Zero()
		return &ecKey{c: c, d: d, pub: pub}, nil
	}
	priv, err := c.ecdh.NewPrivateKey(d)
	if err != nil {
		return nil, errors.New("keycrypto: EC private scalar out of range")
	}
	return &ecKey{c: c, d: d, pub: priv.PublicKey().Bytes()}, nil
}

// ecdsaKey returns k as a standard library key (NIST curves only).
func (k *ecKey) ecdsaKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.ParseRawPrivateKey(k.c.nist, k.d)
}

func curveParams(c *curve) asn1.RawValue {
	der, _ := asn1.Marshal(c.oid)
	return asn1.RawValue{FullBytes: der}
}

// marshalECPKCS8 encodes k as OpenSSL and AWS do: PKCS#8 v1 around an RFC
// 5915 ECPrivateKey holding the uncompressed public point and no inner
// curve parameters (asymmetric.md §7: P-256 is 138 bytes).
func marshalECPKCS8(k *ecKey) ([]byte, error) {
	inner, err := asn1.Marshal(ecPrivateKey{
		Version:    1,
		PrivateKey: k.d,
		PublicKey:  asn1.BitString{Bytes: k.pub, BitLength: 8 * len(k.pub)},
	})
	if err != nil {
		return nil, err
	}
	defer clear(inner)
	return asn1.Marshal(pkcs8{
		Algo:       pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: curveParams(k.c)},
		PrivateKey: inner,
	})
}

// marshalECSPKI encodes an uncompressed point as SubjectPublicKeyInfo with
// id-ecPublicKey and the named curve (asymmetric.md §4).
func marshalECSPKI(c *curve, point []byte) ([]byte, error) {
	return asn1.Marshal(subjectPublicKeyInfo{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: curveParams(c)},
		PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)},
	})
}

// namedCurve returns the curve named by an AlgorithmIdentifier's
// parameters, or nil for explicit or absent parameters and unknown curves.
func namedCurve(params asn1.RawValue) *curve {
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(params.FullBytes, &oid); err != nil || len(rest) != 0 {
		return nil
	}
	for _, c := range allCurves {
		if c.oid.Equal(oid) {
			return c
		}
	}
	return nil
}

// parseECPrivate decodes the ECPrivateKey inside a PKCS#8 of curve c. It
// accepts a short scalar (some encoders drop leading zeros), inner curve
// parameters equal to c, and an embedded public point in compressed,
// uncompressed or hybrid form, which must be the private key's.
func parseECPrivate(c *curve, inner []byte) (*ecKey, *Error) {
	var ek ecPrivateKey
	if rest, err := asn1.Unmarshal(inner, &ek); err != nil || len(rest) != 0 || ek.Version != 1 {
		return nil, incorrectMaterial("The key material is not a valid RFC 5915 EC private key.")
	}
	defer clear(ek.PrivateKey)
	if len(ek.NamedCurveOID) != 0 && !ek.NamedCurveOID.Equal(c.oid) {
		return nil, incorrectMaterial("The EC private key names two different curves.")
	}
	if len(ek.PrivateKey) > c.size {
		return nil, incorrectMaterial("The EC private key is not valid.")
	}
	d := make([]byte, c.size)
	copy(d[c.size-len(ek.PrivateKey):], ek.PrivateKey)
	k, err := newECKey(c, d)
	if err != nil {
		clear(d)
		return nil, incorrectMaterial("The EC private key is not valid.")
	}
	if p := ek.PublicKey.RightAlign(); len(p) != 0 && !samePoint(k.pub, p) {
		k.zero()
		return nil, incorrectMaterial("The public key in the key material does not match its private key.")
	}
	return k, nil
}

// samePoint reports whether enc is the uncompressed point u in uncompressed
// (04), compressed (02/03) or hybrid (06/07) SEC 1 form.
func samePoint(u, enc []byte) bool {
	n := (len(u) - 1) / 2
	x, y := u[1:1+n], u[1+n:]
	odd := y[n-1] & 1
	switch {
	case len(enc) == 1+n && enc[0] == 2|odd:
		return bytes.Equal(enc[1:], x)
	case len(enc) == len(u) && enc[0] == 4:
		return bytes.Equal(enc, u)
	case len(enc) == len(u) && enc[0] == 6|odd:
		return bytes.Equal(enc[1:], u[1:])
	}
	return false
}

// secp256k1PrivateKey returns k (a secp256k1 key) as a decred key; the
// caller zeroes it.
func secp256k1PrivateKey(k *ecKey) *secp256k1.PrivateKey {
	return secp256k1.PrivKeyFromBytes(k.d)
}
