package byokflow

import (
	"encoding/asn1"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// curveSpecs are KMS's key specs by the curve OID of an EC key.
var curveSpecs = map[string]types.KeySpec{
	pkcs11.Curves["P-256"].String():     types.KeySpecEccNistP256,
	pkcs11.Curves["P-384"].String():     types.KeySpecEccNistP384,
	pkcs11.Curves["P-521"].String():     types.KeySpecEccNistP521,
	pkcs11.Curves["secp256k1"].String(): types.KeySpecEccSecgP256k1,
}

// keyUsage is the KeyUsage of the KMS key an HSM key of spec becomes:
// signing for RSA and EC key pairs, MACs for HMAC keys.
func keyUsage(spec string) types.KeyUsageType {
	if len(spec) > 5 && spec[:5] == "HMAC_" {
		return types.KeyUsageTypeGenerateVerifyMac
	}
	return types.KeyUsageTypeSignVerify
}

// hmacSpec is the KMS key spec of a generic secret of n bytes: the
// largest HMAC_* whose minimum length the key reaches (KMS takes 224 to
// 1024 bits for HMAC_224, from 512 for HMAC_512).
func hmacSpec(n int) (types.KeySpec, error) {
	bits := 8 * n
	switch {
	case bits > 1024 || bits < 224:
		return "", fmt.Errorf("an HMAC key for KMS is 224 to 1024 bits, not %d", bits)
	case bits >= 512:
		return types.KeySpecHmac512, nil
	case bits >= 384:
		return types.KeySpecHmac384, nil
	case bits >= 256:
		return types.KeySpecHmac256, nil
	}
	return types.KeySpecHmac224, nil
}

// peekSpec tells, before the key is checked (findKey), the KMS key spec
// of the HSM key c names, so that the wrapping algorithm is chosen for
// it: "" for an AES key, a key to generate, or one it cannot tell (findKey
// then says what is wrong). It changes nothing and asks nothing.
func (s *session) peekSpec(c *KeyChoice) (types.KeySpec, pkcs11.Handle) {
	if c.Generate {
		return "", 0
	}
	r, err := pkcs11.ParseObjectRef(c.Ref)
	if err != nil {
		return "", 0
	}
	o, err := s.tok.FindObject(r, "secret-key")
	if err != nil {
		if o, err = s.tok.FindObject(r, "private-key"); err != nil {
			return "", 0
		}
	}
	a, err := s.tok.Attributes(o.Handle)
	if err != nil {
		return "", 0
	}
	spec, _, err := s.specOf(o, a)
	if err != nil {
		return "", 0
	}
	return spec, o.Handle
}

// specOf is the KMS key spec of an RSA or EC private key or a generic
// secret, and for a private key the public half of its pair (same
// CKA_ID, or same label without one), which the proof needs: "" for
// anything else.
func (s *session) specOf(o pkcs11.Object, a pkcs11.Attrs) (types.KeySpec, pkcs11.Handle, error) {
	switch {
	case a.Class == "secret-key" && a.KeyType == pkcs11.KeyTypeGenericSecret:
		if a.ValueLen == nil {
			return "", 0, fmt.Errorf("the HSM key (%s) does not say its length", o.Describe())
		}
		spec, err := hmacSpec(*a.ValueLen)
		return spec, 0, err
	case a.Class != "private-key":
		return "", 0, nil
	}
	pubs, err := s.tok.FindObjects(pkcs11.Filter{Class: "public-key", ID: o.ID, Label: map[bool]string{true: o.Label}[len(o.ID) == 0]})
	if err != nil {
		return "", 0, err
	}
	if len(pubs) != 1 {
		return "", 0, fmt.Errorf("the HSM key (%s) is a private key, and trent byok import needs the public key of its pair in the token (with the same id) to prove what KMS holds; %d public keys match", o.Describe(), len(pubs))
	}
	der, err := s.tok.PublicKeyDER(pubs[0].Handle)
	if err != nil {
		return "", 0, err
	}
	var spki struct {
		Alg struct {
			Algorithm asn1.ObjectIdentifier
			Params    asn1.RawValue `asn1:"optional"`
		}
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return "", 0, fmt.Errorf("the public key of the HSM key (%s): %w", o.Describe(), err)
	}
	switch a.KeyType {
	case "RSA":
		bits := 8 * len(a.Modulus)
		if pub := pubs[0]; pub.Bits > 0 {
			bits = pub.Bits
		}
		switch bits {
		case 2048, 3072, 4096:
			return types.KeySpec(fmt.Sprintf("RSA_%d", bits)), pubs[0].Handle, nil
		}
		return "", 0, fmt.Errorf("the HSM key (%s) is RSA-%d: KMS takes RSA keys of 2048, 3072 or 4096 bits", o.Describe(), bits)
	case "EC":
		var curve asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(spki.Alg.Params.FullBytes, &curve); err == nil {
			if spec, ok := curveSpecs[curve.String()]; ok {
				return spec, pubs[0].Handle, nil
			}
		}
		return "", 0, fmt.Errorf("the HSM key (%s) is on a curve KMS does not take (P-256, P-384, P-521, secp256k1)", o.Describe())
	}
	return "", 0, fmt.Errorf("the HSM key (%s) is a %s private key: KMS imports RSA and EC private keys", o.Describe(), a.KeyType)
}

// findOtherKey is findKey for an RSA or EC private key (the reference
// names no secret key; errSecret is why) or a generic secret (obj, a).
func (s *session) findOtherKey(c *KeyChoice, id []byte, k HSMKey, obj pkcs11.Object, a *pkcs11.Attrs, errSecret error) (HSMKey, error) {
	if a == nil {
		var err error
		if obj, err = s.pick(c.Ref, "private-key", c.Label, id, c.ConfirmHandle); err != nil {
			return k, errSecret
		}
		at, err := s.tok.Attributes(obj.Handle)
		if err != nil {
			return k, err
		}
		a = &at
		k.Handle = obj.Handle
		if a.Label != nil {
			k.Label = *a.Label
		}
		k.ID = a.ID
		k.URI = obj.URI(s.tok.Info()).String()
	}
	spec, pub, err := s.specOf(obj, *a)
	if err != nil {
		return k, err
	}
	if spec == "" {
		return k, fmt.Errorf("the HSM key (%s) is %s: trent byok import takes AES-256, RSA and EC private keys and HMAC generic secrets", k, obj.Describe())
	}
	k.KeySpec, k.pub = string(spec), pub
	if err := s.checkExtractable(k, *a); err != nil {
		return k, err
	}
	if kcv, err := s.tok.CheckValue(k.Handle); err == nil {
		k.KCV, k.KCVMethod = kcv.Value, kcv.Method
	}
	return k, nil
}
