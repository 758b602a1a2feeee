package pkcs11

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
)

// ParsePublicKey reads an RSA public key in any form KMS or openssl hands
// out: DER SubjectPublicKeyInfo (the wrappingKey_… file of the console's
// ImportParameters.zip), the same in base64 (the AWS CLI's
// `--query PublicKey --output text`), PEM "PUBLIC KEY", or PKCS#1 (DER or
// PEM "RSA PUBLIC KEY").
func ParsePublicKey(data []byte) (*rsa.PublicKey, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("the public key file is empty")
	}
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		blk, _ := pem.Decode(trimmed)
		if blk == nil {
			return nil, errors.New("the public key file starts like PEM but has no valid PEM block")
		}
		switch blk.Type {
		case "PUBLIC KEY", "RSA PUBLIC KEY":
			return parseDERPublicKey(blk.Bytes)
		}
		return nil, fmt.Errorf("the PEM block is %q: want PUBLIC KEY (SubjectPublicKeyInfo) or RSA PUBLIC KEY", blk.Type)
	}
	k, err := parseDERPublicKey(data)
	if err == nil || errors.Is(err, errNotRSA) {
		return k, err
	}
	if der, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(trimmed), nil))); err == nil {
		return parseDERPublicKey(der)
	}
	return nil, errors.New("the public key is neither DER SubjectPublicKeyInfo, base64 of it, PEM, nor PKCS#1")
}

var errNotRSA = errors.New("not RSA: KMS wrapping keys are RSA")

func parseDERPublicKey(der []byte) (*rsa.PublicKey, error) {
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("the public key is %T: %w", k, errNotRSA)
		}
		return rk, nil
	}
	if rk, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return rk, nil
	}
	return nil, errors.New("the public key is not DER SubjectPublicKeyInfo or PKCS#1")
}

// PublicKeyID is the default CKA_ID of an imported RSA public key: SHA-1
// of the modulus, as NSS and OpenSC compute it.
func PublicKeyID(k *rsa.PublicKey) []byte {
	sum := sha1.Sum(k.N.Bytes())
	return sum[:]
}
