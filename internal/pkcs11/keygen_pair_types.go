package pkcs11

import (
	"encoding/asn1"
	"fmt"
	"sort"
	"strings"
)

// Key pair types GenerateKeyPair makes.
const (
	KeyTypeRSA = "RSA"
	KeyTypeEC  = "EC"
)

// KeyPairSpec is an RSA or EC key pair to generate for import into KMS.
// Start from BYOKKeyPairSpec.
//
// The embedded KeySpec gives the type (KeyTypeRSA or KeyTypeEC; Bytes is
// unused), the label and id, set on both halves so that the pair is
// found together, and the attributes: Token and Modifiable on both
// halves; Encrypt, Verify and Wrap on the public key; Private, Sensitive,
// Extractable, Decrypt, Sign, Unwrap and Derive on the private key (the
// public key is never private, so it can be read without a login).
type KeyPairSpec struct {
	KeySpec
	Bits  int    // RSA modulus size: 2048, 3072 or 4096
	Curve string // EC: a name of Curves (P-256, P-384, P-521, secp256k1)
}

// BYOKKeyPairSpec is a key pair for import into KMS as a signing key: a
// token object whose private half is sensitive but extractable (it can be
// wrapped), private, modifiable, for sign; its public half for verify.
func BYOKKeyPairSpec(typ string) KeyPairSpec {
	s := KeyPairSpec{KeySpec: KeySpec{Type: typ, Token: true, Private: true, Sensitive: true,
		Modifiable: true, Extractable: true, Sign: true, Verify: true}}
	if typ == KeyTypeRSA {
		s.Bits = 2048
	} else {
		s.Curve = "P-256"
	}
	return s
}

// Curves maps the curve names Trent takes (KMS's ECC_NIST_P256 … key
// specs) to their OIDs, which CKA_EC_PARAMS holds DER-encoded.
var Curves = map[string]asn1.ObjectIdentifier{
	"P-256":     {1, 2, 840, 10045, 3, 1, 7},
	"P-384":     {1, 3, 132, 0, 34},
	"P-521":     {1, 3, 132, 0, 35},
	"secp256k1": {1, 3, 132, 0, 10},
}

// curveAliases are the other spellings of a curve name users type.
var curveAliases = map[string]string{
	"p256": "P-256", "p-256": "P-256", "prime256v1": "P-256", "secp256r1": "P-256", "ecc_nist_p256": "P-256",
	"p384": "P-384", "p-384": "P-384", "secp384r1": "P-384", "ecc_nist_p384": "P-384",
	"p521": "P-521", "p-521": "P-521", "secp521r1": "P-521", "ecc_nist_p521": "P-521",
	"secp256k1": "secp256k1", "ecc_secg_p256k1": "secp256k1",
}

// CurveName returns the canonical name of a curve (p256, P-256,
// prime256v1, ECC_NIST_P256 … all give P-256).
func CurveName(s string) (string, error) {
	if c, ok := curveAliases[strings.ToLower(s)]; ok {
		return c, nil
	}
	names := make([]string, 0, len(Curves))
	for n := range Curves {
		names = append(names, n)
	}
	sort.Strings(names)
	return "", fmt.Errorf("curve %q: use one of %s", s, strings.Join(names, ", "))
}

// check validates the spec before the token is asked.
func (s KeyPairSpec) check() error {
	switch s.Type {
	case KeyTypeRSA:
		if s.Bits != 2048 && s.Bits != 3072 && s.Bits != 4096 {
			return fmt.Errorf("an RSA key for KMS is 2048, 3072 or 4096 bits, not %d", s.Bits)
		}
	case KeyTypeEC:
		if _, ok := Curves[s.Curve]; !ok {
			_, err := CurveName(s.Curve)
			return err
		}
	default:
		return fmt.Errorf("key pair type %q: Trent generates %s or %s key pairs", s.Type, KeyTypeRSA, KeyTypeEC)
	}
	return nil
}

// ckfGenerateKeyPair is CKF_GENERATE_KEY_PAIR of a mechanism's flags.
const ckfGenerateKeyPair = 0x10000
