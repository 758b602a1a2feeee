package pkcs11

import (
	"fmt"
	"strings"
)

// The PKCS#11 values this file names are fixed by the standard; they are
// repeated here so that names work without cgo.

const (
	ckfLoginRequired    = 0x4
	ckfTokenInitialized = 0x400
)

// classNames are CKO_* values by the names Trent shows.
var classNames = map[uint]string{
	0: "data", 1: "certificate", 2: "public-key", 3: "private-key", 4: "secret-key",
	5: "hw-feature", 6: "domain-parameters", 7: "mechanism", 8: "otp-key",
}

// classAliases are the RFC 7512 type names Filter also accepts.
var classAliases = map[string]string{"public": "public-key", "private": "private-key", "cert": "certificate"}

func className(c uint) string {
	if n, ok := classNames[c]; ok {
		return n
	}
	return fmt.Sprintf("CKO_0x%X", c)
}

// classValue returns the CKO_* value of a class name or alias.
func classValue(name string) (uint, error) {
	if a, ok := classAliases[name]; ok {
		name = a
	}
	for v, n := range classNames {
		if n == name {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown object class %q: use public-key, private-key, secret-key, certificate or data", name)
}

var keyTypeNames = map[uint]string{
	0x00: "RSA", 0x01: "DSA", 0x02: "DH", 0x03: "EC", 0x10: "GENERIC_SECRET", 0x13: "DES", 0x14: "DES2",
	0x15: "DES3", 0x1F: "AES", 0x2B: "SHA256_HMAC", 0x2C: "SHA384_HMAC", 0x2D: "SHA512_HMAC",
	0x2E: "SHA224_HMAC", 0x40: "EC_EDWARDS", 0x41: "EC_MONTGOMERY",
}

func keyTypeName(k uint) string {
	if n, ok := keyTypeNames[k]; ok {
		return n
	}
	if k >= 0x80000000 {
		return fmt.Sprintf("VENDOR_0x%X", k)
	}
	return fmt.Sprintf("CKK_0x%X", k)
}

type flagName struct {
	bit  uint
	name string
}

var mechFlagNames = []flagName{
	{0x1, "hw"}, {0x100, "encrypt"}, {0x200, "decrypt"}, {0x400, "digest"}, {0x800, "sign"},
	{0x1000, "sign_recover"}, {0x2000, "verify"}, {0x4000, "verify_recover"}, {0x8000, "generate"},
	{0x10000, "generate_key_pair"}, {0x20000, "wrap"}, {0x40000, "unwrap"}, {0x80000, "derive"},
}

// Mechanism flags Trent checks.
const (
	ckfEncrypt  = 0x100
	ckfDigest   = 0x400
	ckfSign     = 0x800
	ckfGenerate = 0x8000
	ckfWrap     = 0x20000
)

// flagNames lists the names of the bits set in f; unnamed bits are shown
// in hex.
func flagNames(f uint, names []flagName) []string {
	out := []string{}
	for _, n := range names {
		if f&n.bit != 0 {
			out = append(out, n.name)
			f &^= n.bit
		}
	}
	if f != 0 {
		out = append(out, fmt.Sprintf("0x%X", f))
	}
	return out
}

// Mechanisms Trent uses.
const (
	ckmRSAPKCS             = 0x1
	ckmRSAPKCSOAEP         = 0x9
	ckmSHA1                = 0x220
	ckmSHA256              = 0x250
	ckmGenericSecretKeyGen = 0x350
	ckmRSAAESKeyWrap       = 0x1054
	ckmAESKeyGen           = 0x1080
	ckmAESECB              = 0x1081
	ckmAESCMAC             = 0x108A
	ckmAESKeyWrap          = 0x2109
	ckmAESKeyWrapPad       = 0x210A
	ckmAESKeyWrapKWP       = 0x210B
)

var mechNames = map[uint]string{
	0x0: "RSA_PKCS_KEY_PAIR_GEN", 0x1: "RSA_PKCS", 0x3: "RSA_X_509", 0x5: "MD5_RSA_PKCS", 0x6: "SHA1_RSA_PKCS",
	0x9: "RSA_PKCS_OAEP", 0xA: "RSA_X9_31_KEY_PAIR_GEN", 0xD: "RSA_PKCS_PSS", 0xE: "SHA1_RSA_PKCS_PSS",
	0x20: "DH_PKCS_KEY_PAIR_GEN", 0x21: "DH_PKCS_DERIVE", 0x40: "SHA256_RSA_PKCS", 0x41: "SHA384_RSA_PKCS",
	0x42: "SHA512_RSA_PKCS", 0x43: "SHA256_RSA_PKCS_PSS", 0x44: "SHA384_RSA_PKCS_PSS", 0x45: "SHA512_RSA_PKCS_PSS",
	0x46: "SHA224_RSA_PKCS", 0x47: "SHA224_RSA_PKCS_PSS",
	0x120: "DES_KEY_GEN", 0x121: "DES_ECB", 0x122: "DES_CBC", 0x125: "DES_CBC_PAD",
	0x130: "DES2_KEY_GEN", 0x131: "DES3_KEY_GEN", 0x132: "DES3_ECB", 0x133: "DES3_CBC", 0x136: "DES3_CBC_PAD",
	0x138: "DES3_CMAC",
	0x210: "MD5", 0x211: "MD5_HMAC", 0x220: "SHA_1", 0x221: "SHA_1_HMAC", 0x250: "SHA256", 0x251: "SHA256_HMAC",
	0x255: "SHA224", 0x256: "SHA224_HMAC", 0x260: "SHA384", 0x261: "SHA384_HMAC", 0x270: "SHA512", 0x271: "SHA512_HMAC",
	0x350: "GENERIC_SECRET_KEY_GEN", 0x360: "CONCATENATE_BASE_AND_KEY", 0x362: "CONCATENATE_BASE_AND_DATA",
	0x363: "CONCATENATE_DATA_AND_BASE", 0x364: "XOR_BASE_AND_DATA", 0x365: "EXTRACT_KEY_FROM_KEY",
	0x1040: "EC_KEY_PAIR_GEN", 0x1041: "ECDSA", 0x1042: "ECDSA_SHA1", 0x1043: "ECDSA_SHA224", 0x1044: "ECDSA_SHA256",
	0x1045: "ECDSA_SHA384", 0x1046: "ECDSA_SHA512", 0x1050: "ECDH1_DERIVE", 0x1051: "ECDH1_COFACTOR_DERIVE",
	0x1054: "RSA_AES_KEY_WRAP", 0x1055: "EC_EDWARDS_KEY_PAIR_GEN", 0x1057: "EDDSA",
	0x1080: "AES_KEY_GEN", 0x1081: "AES_ECB", 0x1082: "AES_CBC", 0x1083: "AES_MAC", 0x1084: "AES_MAC_GENERAL",
	0x1085: "AES_CBC_PAD", 0x1086: "AES_CTR", 0x1087: "AES_GCM", 0x1088: "AES_CCM", 0x1089: "AES_CTS",
	0x108A: "AES_CMAC", 0x108B: "AES_CMAC_GENERAL", 0x1104: "AES_ECB_ENCRYPT_DATA", 0x1105: "AES_CBC_ENCRYPT_DATA",
	0x2109: "AES_KEY_WRAP", 0x210A: "AES_KEY_WRAP_PAD", 0x210B: "AES_KEY_WRAP_KWP",
}

// MechanismName returns "CKM_…" for a mechanism type; unknown ones are
// shown in hex.
func MechanismName(m uint) string {
	if n, ok := mechNames[m]; ok {
		return "CKM_" + n
	}
	if m >= 0x80000000 {
		return fmt.Sprintf("CKM_VENDOR_0x%X", m)
	}
	return fmt.Sprintf("CKM_0x%X", m)
}

// describeTokens lists tokens for an error message.
func describeTokens(slots []SlotInfo) string {
	var b []string
	for _, s := range slots {
		if s.Token == nil {
			continue
		}
		state := ""
		if !s.Token.Initialized() {
			state = ", not initialised"
		}
		b = append(b, fmt.Sprintf("slot %d: token %q (serial %s%s)", s.ID, s.Token.Label, s.Token.Serial, state))
	}
	if len(b) == 0 {
		return "no slot holds a token"
	}
	return strings.Join(b, "; ")
}
