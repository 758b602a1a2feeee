package keycrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"

	"filippo.io/mldsa"
	"filippo.io/mldsa/mldsacrypto"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// pssOptions is AWS's RSASSA-PSS: MGF1 with the message hash and a salt as
// long as the hash (asymmetric.md §5.2), for signing and for verifying.
var pssOptions = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}

// Sign signs message with private key material priv of key spec specName,
// as AWS KMS Sign does. msgType is RAW (also for ""), DIGEST or
// EXTERNAL_MU; the rules of asymmetric.md §5.1 apply and violations are
// *Error values with AWS's exception and message. Signatures are PKCS#1
// v1.5 or PSS (salt = hash length) for RSA, DER Ecdsa-Sig-Value for ECDSA,
// 64 bytes for Ed25519 and Ed25519ph, and hedged FIPS 204 ML-DSA with an
// empty context.
func Sign(specName, alg, msgType string, priv, message []byte) ([]byte, error) {
	s, err := lookup(specName)
	if err != nil {
		return nil, err
	}
	if s.kind == kindHMAC {
		return nil, incompatible(alg, s.name)
	}
	a, msgType, err := checkSignInput(s, alg, msgType, message)
	if err != nil {
		return nil, err
	}
	key, err := parsePrivate(s, priv)
	if err != nil {
		return nil, err
	}
	defer zeroPrivate(key)
	switch k := key.(type) {
	case *rsa.PrivateKey:
		digest := digestOf(a, msgType, message)
		if a.family == famPSS {
			return rsa.SignPSS(rand.Reader, k, a.hash, digest, pssOptions)
		}
		return rsa.SignPKCS1v15(rand.Reader, k, a.hash, digest)
	case *ecKey:
		digest := digestOf(a, msgType, message)
		if k.c.nist == nil {
			sk := secp256k1PrivateKey(k)
			defer sk.Zero()
			return secpecdsa.Sign(sk, digest).Serialize(), nil
		}
		sk, err := k.ecdsaKey()
		if err != nil {
			return nil, err
		}
		return ecdsa.SignASN1(rand.Reader, sk, digest)
	case ed25519.PrivateKey:
		if a.family == famEd25519ph {
			return k.Sign(nil, ed25519phMessage(message), &ed25519.Options{Hash: crypto.SHA512})
		}
		return ed25519.Sign(k, message), nil
	case *mldsa.PrivateKey:
		if msgType == MessageExternalMu {
			return k.Sign(nil, message, mldsacrypto.MLDSAMu)
		}
		return k.Sign(nil, message, nil)
	}
	return nil, errors.New("keycrypto: unknown private key type")
}
