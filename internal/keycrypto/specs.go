package keycrypto

import (
	"crypto"
	"crypto/ecdh"
	"crypto/elliptic"
	"encoding/asn1"

	"filippo.io/mldsa"
)

type keyKind int

const (
	kindRSA keyKind = iota + 1
	kindEC
	kindEd25519
	kindMLDSA
	kindHMAC
)

// curve is one elliptic curve of the model. nist and ecdh are nil for
// secp256k1, which the standard library does not implement.
type curve struct {
	name string // SEC name, used in messages
	oid  asn1.ObjectIdentifier
	size int // bytes of a scalar and of a coordinate
	nist elliptic.Curve
	ecdh ecdh.Curve
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidRSA         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidEd25519     = asn1.ObjectIdentifier{1, 3, 101, 112}

	curveP256 = &curve{"secp256r1", asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}, 32, elliptic.P256(), ecdh.P256()}
	curveP384 = &curve{"secp384r1", asn1.ObjectIdentifier{1, 3, 132, 0, 34}, 48, elliptic.P384(), ecdh.P384()}
	curveP521 = &curve{"secp521r1", asn1.ObjectIdentifier{1, 3, 132, 0, 35}, 66, elliptic.P521(), ecdh.P521()}
	curveK256 = &curve{"secp256k1", asn1.ObjectIdentifier{1, 3, 132, 0, 10}, 32, nil, nil}
	allCurves = []*curve{curveP256, curveP384, curveP521, curveK256}
)

// spec is what this package needs to know about one KeySpec.
type spec struct {
	name     string
	kind     keyKind
	rsaBits  int
	curve    *curve
	mldsa    func() mldsa.Parameters
	hash     crypto.Hash // HMAC specs: the MAC's hash
	macAlg   string      // HMAC specs: the one MacAlgorithm
	signing  []string    // SigningAlgorithms, in AWS's order
	dataPair bool        // a DataKeyPairSpec value too
}

var rsaSigning = []string{
	"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
	"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
}

// specs is every KeySpec of the model that this package implements
// (asymmetric.md §1, hmac.md §1). SM2 exists only in China Regions and is
// refused (see Generate).
var specs = map[string]*spec{
	"RSA_2048":              {name: "RSA_2048", kind: kindRSA, rsaBits: 2048, signing: rsaSigning, dataPair: true},
	"RSA_3072":              {name: "RSA_3072", kind: kindRSA, rsaBits: 3072, signing: rsaSigning, dataPair: true},
	"RSA_4096":              {name: "RSA_4096", kind: kindRSA, rsaBits: 4096, signing: rsaSigning, dataPair: true},
	"ECC_NIST_P256":         {name: "ECC_NIST_P256", kind: kindEC, curve: curveP256, signing: []string{"ECDSA_SHA_256"}, dataPair: true},
	"ECC_NIST_P384":         {name: "ECC_NIST_P384", kind: kindEC, curve: curveP384, signing: []string{"ECDSA_SHA_384"}, dataPair: true},
	"ECC_NIST_P521":         {name: "ECC_NIST_P521", kind: kindEC, curve: curveP521, signing: []string{"ECDSA_SHA_512"}, dataPair: true},
	"ECC_SECG_P256K1":       {name: "ECC_SECG_P256K1", kind: kindEC, curve: curveK256, signing: []string{"ECDSA_SHA_256"}, dataPair: true},
	"ECC_NIST_EDWARDS25519": {name: "ECC_NIST_EDWARDS25519", kind: kindEd25519, signing: []string{"ED25519_SHA_512", "ED25519_PH_SHA_512"}, dataPair: true},
	"ML_DSA_44":             {name: "ML_DSA_44", kind: kindMLDSA, mldsa: mldsa.MLDSA44, signing: []string{"ML_DSA_SHAKE_256"}},
	"ML_DSA_65":             {name: "ML_DSA_65", kind: kindMLDSA, mldsa: mldsa.MLDSA65, signing: []string{"ML_DSA_SHAKE_256"}},
	"ML_DSA_87":             {name: "ML_DSA_87", kind: kindMLDSA, mldsa: mldsa.MLDSA87, signing: []string{"ML_DSA_SHAKE_256"}},
	"HMAC_224":              {name: "HMAC_224", kind: kindHMAC, hash: crypto.SHA224, macAlg: "HMAC_SHA_224"},
	"HMAC_256":              {name: "HMAC_256", kind: kindHMAC, hash: crypto.SHA256, macAlg: "HMAC_SHA_256"},
	"HMAC_384":              {name: "HMAC_384", kind: kindHMAC, hash: crypto.SHA384, macAlg: "HMAC_SHA_384"},
	"HMAC_512":              {name: "HMAC_512", kind: kindHMAC, hash: crypto.SHA512, macAlg: "HMAC_SHA_512"},
}

// lookup returns the spec named name. SM2 gets AWS's answer outside China
// Regions; any other unknown name is the caller's bug.
func lookup(name string) (*spec, error) {
	if s, ok := specs[name]; ok {
		return s, nil
	}
	if name == "SM2" {
		return nil, newError(ExcUnsupported, "KeySpec SM2 is not supported in this Region")
	}
	return nil, errUnknownSpec(name)
}

type sigFamily int

const (
	famPKCS1 sigFamily = iota + 1
	famPSS
	famECDSA
	famEd25519
	famEd25519ph
	famMLDSA
)

type sigAlg struct {
	name   string
	family sigFamily
	hash   crypto.Hash // the hash KMS applies to RAW input; 0 for pure signatures
}

// sigAlgs is the SigningAlgorithmSpec enum of the model, less SM2DSA (China
// Regions only, refused as incompatible with every key spec served here).
var sigAlgs = map[string]*sigAlg{
	"RSASSA_PKCS1_V1_5_SHA_256": {"RSASSA_PKCS1_V1_5_SHA_256", famPKCS1, crypto.SHA256},
	"RSASSA_PKCS1_V1_5_SHA_384": {"RSASSA_PKCS1_V1_5_SHA_384", famPKCS1, crypto.SHA384},
	"RSASSA_PKCS1_V1_5_SHA_512": {"RSASSA_PKCS1_V1_5_SHA_512", famPKCS1, crypto.SHA512},
	"RSASSA_PSS_SHA_256":        {"RSASSA_PSS_SHA_256", famPSS, crypto.SHA256},
	"RSASSA_PSS_SHA_384":        {"RSASSA_PSS_SHA_384", famPSS, crypto.SHA384},
	"RSASSA_PSS_SHA_512":        {"RSASSA_PSS_SHA_512", famPSS, crypto.SHA512},
	"ECDSA_SHA_256":             {"ECDSA_SHA_256", famECDSA, crypto.SHA256},
	"ECDSA_SHA_384":             {"ECDSA_SHA_384", famECDSA, crypto.SHA384},
	"ECDSA_SHA_512":             {"ECDSA_SHA_512", famECDSA, crypto.SHA512},
	"ED25519_SHA_512":           {"ED25519_SHA_512", famEd25519, 0},
	"ED25519_PH_SHA_512":        {"ED25519_PH_SHA_512", famEd25519ph, crypto.SHA512},
	"ML_DSA_SHAKE_256":          {"ML_DSA_SHAKE_256", famMLDSA, 0},
	"SM2DSA":                    {"SM2DSA", 0, 0},
}

const sigAlgSet = "RSASSA_PSS_SHA_256, RSASSA_PSS_SHA_384, RSASSA_PSS_SHA_512, RSASSA_PKCS1_V1_5_SHA_256, RSASSA_PKCS1_V1_5_SHA_384, RSASSA_PKCS1_V1_5_SHA_512, ECDSA_SHA_256, ECDSA_SHA_384, ECDSA_SHA_512, SM2DSA, ML_DSA_SHAKE_256, ED25519_SHA_512, ED25519_PH_SHA_512"

// signingAlg resolves alg for a key of spec s: an enum error for an unknown
// name, template 2 for an algorithm the spec does not offer.
func signingAlg(s *spec, alg string) (*sigAlg, error) {
	a, ok := sigAlgs[alg]
	if !ok {
		return nil, enumError("signingAlgorithm", alg, sigAlgSet)
	}
	for _, name := range s.signing {
		if name == alg {
			return a, nil
		}
	}
	return nil, incompatible(alg, s.name)
}
