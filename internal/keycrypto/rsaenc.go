package keycrypto

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
)

// encryptionHash resolves an EncryptionAlgorithmSpec for a key of spec s:
// RSAES_OAEP_SHA_1 and _256 on RSA keys; anything else of the enum is
// template 2 (asymmetric.md §6: "Algorithm SYMMETRIC_DEFAULT is
// incompatible with key spec RSA_4096.").
func encryptionHash(s *spec, alg string) (crypto.Hash, error) {
	var h crypto.Hash
	switch alg {
	case "RSAES_OAEP_SHA_1":
		h = crypto.SHA1
	case "RSAES_OAEP_SHA_256":
		h = crypto.SHA256
	case "SYMMETRIC_DEFAULT", "SM2PKE":
		return 0, incompatible(alg, s.name)
	default:
		return 0, enumError("encryptionAlgorithm", alg, "SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE")
	}
	if s.kind != kindRSA {
		return 0, incompatible(alg, s.name)
	}
	return h, nil
}

// MaxPlaintext returns the largest plaintext RSAES-OAEP with alg can
// encrypt under an RSA key of spec specName: k − 2·hLen − 2 bytes
// (asymmetric.md §6: 214/190, 342/318, 470/446), or 0 if the pair is not
// an RSA encryption pair.
func MaxPlaintext(specName, alg string) int {
	s, ok := specs[specName]
	if !ok {
		return 0
	}
	h, err := encryptionHash(s, alg)
	if err != nil {
		return 0
	}
	return s.rsaBits/8 - 2*h.Size() - 2
}

// Encrypt encrypts plaintext with RSAES-OAEP (MGF1 with the same hash,
// empty label) under pub, the DER SubjectPublicKeyInfo of an RSA key of
// spec specName, as AWS KMS Encrypt does with an RSA key. The ciphertext is
// the raw OAEP output (the modulus length), with no header. A plaintext
// over the limit is AWS's ValidationException.
func Encrypt(specName, alg string, pub, plaintext []byte) ([]byte, error) {
	s, err := lookup(specName)
	if err != nil {
		return nil, err
	}
	if err := checkLength("plaintext", plaintext, 1, 4096); err != nil {
		return nil, err
	}
	h, err := encryptionHash(s, alg)
	if err != nil {
		return nil, err
	}
	if max := MaxPlaintext(specName, alg); len(plaintext) > max {
		return nil, newError(ExcValidation, "Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", alg, s.name, max)
	}
	key, err := parsePublic(s, pub)
	if err != nil {
		return nil, err
	}
	return rsa.EncryptOAEP(h.New(), rand.Reader, key.(*rsa.PublicKey), plaintext, nil)
}

// Decrypt decrypts an RSAES-OAEP ciphertext with private key material priv
// of an RSA spec. Every decryption failure (wrong algorithm, wrong key,
// altered or mis-sized ciphertext) is the same InvalidCiphertextException
// with no message, so that none can be told apart (no padding oracle). The
// caller zeroes the plaintext after use.
func Decrypt(specName, alg string, priv, ciphertext []byte) ([]byte, error) {
	s, err := lookup(specName)
	if err != nil {
		return nil, err
	}
	if err := checkLength("ciphertextBlob", ciphertext, 1, 6144); err != nil {
		return nil, err
	}
	h, err := encryptionHash(s, alg)
	if err != nil {
		return nil, err
	}
	key, err := parsePrivate(s, priv)
	if err != nil {
		return nil, err
	}
	plaintext, err := rsa.DecryptOAEP(h.New(), nil, key.(*rsa.PrivateKey), ciphertext, nil)
	if err != nil {
		return nil, errInvalidCiphertext
	}
	return plaintext, nil
}
