package keycrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"

	"filippo.io/mldsa"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// Verify checks signature over message with the public key pub (the DER
// SubjectPublicKeyInfo PublicKey returned for the key), as AWS KMS Verify
// does. The request rules are Sign's; a signature that does not verify,
// whatever the reason (other message, key or algorithm, garbage bytes), is
// KMSInvalidSignatureException with no message (asymmetric.md §5.3). The
// message type need not be the one the signer used, where both are allowed
// for the algorithm: a RAW message and its DIGEST (or its ML-DSA μ) are the
// same message.
func Verify(specName, alg, msgType string, pub, message, signature []byte) error {
	s, err := lookup(specName)
	if err != nil {
		return err
	}
	if s.kind == kindHMAC {
		return incompatible(alg, s.name)
	}
	if err := checkLength("signature", signature, 1, maxSignature); err != nil {
		return err
	}
	a, msgType, err := checkSignInput(s, alg, msgType, message)
	if err != nil {
		return err
	}
	key, err := parsePublic(s, pub)
	if err != nil {
		return err
	}
	if !verified(key, a, msgType, message, signature) {
		return errInvalidSignature
	}
	return nil
}

func verified(key any, a *sigAlg, msgType string, message, signature []byte) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		digest := digestOf(a, msgType, message)
		if a.family == famPSS {
			return rsa.VerifyPSS(k, a.hash, digest, signature, pssOptions) == nil
		}
		return rsa.VerifyPKCS1v15(k, a.hash, digest, signature) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, digestOf(a, msgType, message), signature)
	case *secp256k1.PublicKey:
		sig, err := secpecdsa.ParseDERSignature(signature)
		return err == nil && sig.Verify(digestOf(a, msgType, message), k)
	case ed25519.PublicKey:
		if a.family == famEd25519ph {
			opts := &ed25519.Options{Hash: crypto.SHA512}
			return ed25519.VerifyWithOptions(k, ed25519phMessage(message), signature, opts) == nil
		}
		return ed25519.Verify(k, message, signature)
	case *mldsa.PublicKey:
		if msgType == MessageExternalMu {
			return verifyExternalMu(k, message, signature)
		}
		return mldsa.Verify(k, message, signature, nil) == nil
	}
	return false
}
