package keycrypto

import (
	"crypto/ecdh"
	"encoding/asn1"
)

// DeriveSharedSecret computes the ECDH shared secret of AWS KMS
// DeriveSharedSecret: the raw x-coordinate Z (32, 48 or 66 bytes, no KDF)
// of private key material priv (ECC_NIST_P256/P384/P521) and the peer's
// DER SubjectPublicKeyInfo. A peer key that does not parse, is not an EC
// key, is on another curve or is not a valid point is ValidationException
// with no message (asymmetric.md §8). The caller zeroes the secret.
func DeriveSharedSecret(specName string, priv, peer []byte) ([]byte, error) {
	s, err := lookup(specName)
	if err != nil {
		return nil, err
	}
	if s.kind != kindEC || s.curve.ecdh == nil {
		return nil, incompatible("ECDH", s.name)
	}
	if err := checkLength("publicKey", peer, 1, 8192); err != nil {
		return nil, err
	}
	peerKey, err := parsePeer(s.curve, peer)
	if err != nil {
		return nil, err
	}
	key, err := parsePrivate(s, priv)
	if err != nil {
		return nil, err
	}
	k := key.(*ecKey)
	defer k.zero()
	sk, err := s.curve.ecdh.NewPrivateKey(k.d)
	if err != nil {
		return nil, err
	}
	secret, err := sk.ECDH(peerKey)
	if err != nil {
		return nil, errInvalidPeerKey
	}
	return secret, nil
}

// parsePeer decodes the peer's SubjectPublicKeyInfo, which must be an
// id-ecPublicKey on curve c with a valid uncompressed point.
func parsePeer(c *curve, der []byte) (*ecdh.PublicKey, error) {
	var info subjectPublicKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) != 0 {
		return nil, errInvalidPeerKey
	}
	if !info.Algorithm.Algorithm.Equal(oidECPublicKey) || namedCurve(info.Algorithm.Parameters) != c {
		return nil, errInvalidPeerKey
	}
	pub, err := c.ecdh.NewPublicKey(info.PublicKey.RightAlign())
	if err != nil {
		return nil, errInvalidPeerKey
	}
	return pub, nil
}
