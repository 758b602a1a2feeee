package keycrypto

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"filippo.io/mldsa"
	mldsax509 "filippo.io/mldsa/x509"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// parsePrivate decodes private key material this package produced (or
// ParseImported accepted) for spec s. The types are *rsa.PrivateKey,
// *ecKey, ed25519.PrivateKey and *mldsa.PrivateKey. A failure is internal:
// stored material is never the client's fault.
func parsePrivate(s *spec, der []byte) (any, error) {
	key, err := decodePrivate(s, der)
	if err != nil {
		return nil, fmt.Errorf("keycrypto: stored %s private key: %v", s.name, err)
	}
	return key, nil
}

func decodePrivate(s *spec, der []byte) (any, error) {
	switch s.kind {
	case kindEC:
		var p pkcs8
		if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 {
			return nil, errors.New("not PKCS#8")
		}
		defer clear(p.PrivateKey)
		if !p.Algo.Algorithm.Equal(oidECPublicKey) || namedCurve(p.Algo.Parameters) != s.curve {
			return nil, errors.New("not a key of the spec's curve")
		}
		k, e := parseECPrivate(s.curve, p.PrivateKey)
		if e != nil {
			return nil, errors.New(e.Message)
		}
		return k, nil
	case kindRSA, kindEd25519, kindMLDSA:
		key, err := mldsax509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, err
		}
		if !privateMatches(s, key) {
			return nil, errors.New("not a key of the spec")
		}
		return key, nil
	}
	return nil, errUnknownSpec(s.name)
}

// privateMatches reports whether a parsed RSA, Ed25519 or ML-DSA key is of
// spec s (type, modulus size, parameter set).
func privateMatches(s *spec, key any) bool {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return s.kind == kindRSA && k.N.BitLen() == s.rsaBits
	case ed25519.PrivateKey:
		return s.kind == kindEd25519
	case *mldsa.PrivateKey:
		return s.kind == kindMLDSA && k.PublicKey().Parameters() == s.mldsa()
	}
	return false
}

// marshalPrivate encodes a key of spec s as PKCS#8 DER.
func marshalPrivate(key any) ([]byte, error) {
	if k, ok := key.(*ecKey); ok {
		return marshalECPKCS8(k)
	}
	return mldsax509.MarshalPKCS8PrivateKey(key)
}

// marshalPublic returns the SubjectPublicKeyInfo of a private key, as
// GetPublicKey returns it.
func marshalPublic(key any) ([]byte, error) {
	switch k := key.(type) {
	case *ecKey:
		return marshalECSPKI(k.c, k.pub)
	case *rsa.PrivateKey:
		return x509.MarshalPKIXPublicKey(&k.PublicKey)
	case ed25519.PrivateKey:
		return x509.MarshalPKIXPublicKey(k.Public())
	case *mldsa.PrivateKey:
		return mldsax509.MarshalPKIXPublicKey(k.PublicKey())
	}
	return nil, errors.New("keycrypto: unknown private key type")
}

// parsePublic decodes a SubjectPublicKeyInfo of spec s. The types are
// *rsa.PublicKey, *ecdsa.PublicKey (NIST curves), *secp256k1.PublicKey,
// ed25519.PublicKey and *mldsa.PublicKey. Errors carry no exception: the
// key comes from the caller's store, not from the client.
func parsePublic(s *spec, der []byte) (any, error) {
	if s.kind == kindEC {
		var info subjectPublicKeyInfo
		if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) != 0 {
			return nil, errors.New("keycrypto: public key is not a SubjectPublicKeyInfo")
		}
		if !info.Algorithm.Algorithm.Equal(oidECPublicKey) || namedCurve(info.Algorithm.Parameters) != s.curve {
			return nil, fmt.Errorf("keycrypto: public key is not on the curve of %s", s.name)
		}
		point := info.PublicKey.RightAlign()
		if s.curve.nist == nil {
			if len(point) != 65 || point[0] != 4 {
				return nil, errors.New("keycrypto: public point is not uncompressed")
			}
			return secp256k1.ParsePubKey(point)
		}
		return ecdsa.ParseUncompressedPublicKey(s.curve.nist, point)
	}
	pub, err := mldsax509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, err
	}
	ok := false
	switch k := pub.(type) {
	case *rsa.PublicKey:
		ok = s.kind == kindRSA && k.N.BitLen() == s.rsaBits
	case ed25519.PublicKey:
		ok = s.kind == kindEd25519
	case *mldsa.PublicKey:
		ok = s.kind == kindMLDSA && k.Parameters() == s.mldsa()
	}
	if !ok {
		return nil, fmt.Errorf("keycrypto: public key is not of key spec %s", s.name)
	}
	return pub, nil
}

// zeroPrivate clears what can be cleared of a parsed private key.
func zeroPrivate(key any) {
	switch k := key.(type) {
	case *ecKey:
		k.zero()
	case ed25519.PrivateKey:
		clear(k)
	}
}
