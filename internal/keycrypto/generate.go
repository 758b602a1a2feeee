package keycrypto

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"

	"filippo.io/mldsa"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Generate creates new key material for a KMS key of the given spec: PKCS#8
// DER for asymmetric specs, and for HMAC specs random bytes of the hash's
// output length (hmac.md §1: the length AWS generates is undocumented; the
// hash length is also the minimum AWS imports). SM2 fails with AWS's
// UnsupportedOperationException.
func Generate(specName string) ([]byte, error) {
	s, err := lookup(specName)
	if err != nil {
		return nil, err
	}
	if s.kind == kindHMAC {
		key := make([]byte, s.hash.Size())
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		return key, nil
	}
	key, err := generatePrivate(s)
	if err != nil {
		return nil, err
	}
	defer zeroPrivate(key)
	return marshalPrivate(key)
}

func generatePrivate(s *spec) (any, error) {
	switch s.kind {
	case kindRSA:
		return rsa.GenerateKey(rand.Reader, s.rsaBits)
	case kindEd25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	case kindMLDSA:
		return mldsa.GenerateKey(s.mldsa())
	case kindEC:
		if s.curve.ecdh == nil {
			priv, err := secp256k1.GeneratePrivateKey()
			if err != nil {
				return nil, err
			}
			defer priv.Zero()
			return newECKey(s.curve, priv.Serialize())
		}
		priv, err := s.curve.ecdh.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return newECKey(s.curve, priv.Bytes())
	}
	return nil, errUnknownSpec(s.name)
}

// PublicKey returns the DER SubjectPublicKeyInfo of private key material of
// an asymmetric spec, exactly as AWS's GetPublicKey returns it: rsaEncryption
// with NULL parameters, id-ecPublicKey with a named curve and an
// uncompressed point, Ed25519, or ML-DSA (asymmetric.md §1, §4). HMAC keys
// have no public key: UnsupportedOperationException with no message.
func PublicKey(specName string, priv []byte) ([]byte, error) {
	s, err := lookup(specName)
	if err != nil {
		return nil, err
	}
	if s.kind == kindHMAC {
		return nil, &Error{Exception: ExcUnsupported}
	}
	key, err := parsePrivate(s, priv)
	if err != nil {
		return nil, err
	}
	defer zeroPrivate(key)
	return marshalPublic(key)
}

// dataKeyPairSpecs is the DataKeyPairSpec enum as AWS prints it.
const dataKeyPairSpecs = "RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SM2, ECC_NIST_EDWARDS25519"

// GenerateDataKeyPair creates the key pair of GenerateDataKeyPair: the
// private key as PKCS#8 DER (RFC 5958) and the public key as DER
// SubjectPublicKeyInfo (asymmetric.md §7). The caller encrypts priv under
// the wrapping KMS key and zeroes it. Specs outside DataKeyPairSpec are a
// ValidationException; SM2 is refused as in CreateKey.
func GenerateDataKeyPair(keyPairSpec string) (priv, pub []byte, err error) {
	s, ok := specs[keyPairSpec]
	if keyPairSpec == "SM2" {
		return nil, nil, newError(ExcUnsupported, "KeySpec SM2 is not supported in this Region")
	}
	if !ok || !s.dataPair {
		return nil, nil, enumError("keyPairSpec", keyPairSpec, dataKeyPairSpecs)
	}
	key, err := generatePrivate(s)
	if err != nil {
		return nil, nil, err
	}
	defer zeroPrivate(key)
	if pub, err = marshalPublic(key); err != nil {
		return nil, nil, err
	}
	if priv, err = marshalPrivate(key); err != nil {
		return nil, nil, err
	}
	return priv, pub, nil
}
