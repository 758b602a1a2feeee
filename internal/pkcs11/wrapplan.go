package pkcs11

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// wrapAlg is how a KMS wrapping algorithm maps to PKCS#11.
type wrapAlg struct {
	name     string
	pkcs1    bool // CKM_RSA_PKCS
	hybrid   bool // CKM_RSA_AES_KEY_WRAP, or composed
	hash     uint // CKM_SHA_1 or CKM_SHA256 for OAEP
	mgf      uint // CKG_MGF1_SHA1 or CKG_MGF1_SHA256
	hashName string
	other    string // the same construction with the other hash
}

// PKCS#11 OAEP parameter values.
const (
	ckgMGF1SHA1      = 0x1
	ckgMGF1SHA256    = 0x2
	ckzDataSpecified = 0x1
)

var wrapAlgs = map[string]wrapAlg{
	RSAESOAEPSHA256:     {name: RSAESOAEPSHA256, hash: ckmSHA256, mgf: ckgMGF1SHA256, hashName: "SHA-256", other: RSAESOAEPSHA1},
	RSAESOAEPSHA1:       {name: RSAESOAEPSHA1, hash: ckmSHA1, mgf: ckgMGF1SHA1, hashName: "SHA-1", other: RSAESOAEPSHA256},
	RSAAESKeyWrapSHA256: {name: RSAAESKeyWrapSHA256, hybrid: true, hash: ckmSHA256, mgf: ckgMGF1SHA256, hashName: "SHA-256", other: RSAAESKeyWrapSHA1},
	RSAAESKeyWrapSHA1:   {name: RSAAESKeyWrapSHA1, hybrid: true, hash: ckmSHA1, mgf: ckgMGF1SHA1, hashName: "SHA-1", other: RSAAESKeyWrapSHA256},
	RSAESPKCS1v15:       {name: RSAESPKCS1v15, pkcs1: true},
}

func lookupAlg(name string) (wrapAlg, error) {
	a, ok := wrapAlgs[name]
	if !ok {
		return wrapAlg{}, fmt.Errorf("unknown wrapping algorithm %q: use one of %s (the names KMS's GetParametersForImport takes)",
			name, strings.Join(Algorithms, ", "))
	}
	return a, nil
}

// kwpMethod is a way to get RFC 5649 AES key wrap with padding from a
// token: a mechanism, and for CKM_AES_KEY_WRAP the RFC's alternative
// initial value passed as the IV, which gives RFC 5649 exactly for inputs
// of 16 bytes or more that are a multiple of 8 (RFC 5649 section 4.1).
type kwpMethod struct {
	mech uint
	aiv  bool
	// buffered: C_WrapKey in one call with a large buffer (see
	// wrapKeyBuffered); used for private keys.
	buffered bool
}

func (m kwpMethod) String() string {
	if m.aiv {
		return MechanismName(m.mech) + " with RFC 5649's initial value"
	}
	return MechanismName(m.mech)
}

// aligned reports whether an input of n bytes is one RFC 5649 wraps with
// the RFC 3394 process and no padding.
func aligned(n int) bool { return n >= 16 && n%8 == 0 }

// hybridPlan is how Wrap produces RSA_AES_KEY_WRAP_*: natively, or
// composed inside the token from one of the candidate key wrap methods.
type hybridPlan struct {
	native     bool
	candidates []kwpMethod
}

// planHybrid chooses how to produce an RSA_AES_KEY_WRAP_* wrap, given
// what the token offers (offers(mechanism, flags)). It prefers the token's
// CKM_RSA_AES_KEY_WRAP; otherwise it composes one from CKM_AES_KEY_GEN (an
// ephemeral session key), CKM_RSA_PKCS_OAEP and an RFC 5649 key wrap, whose
// candidates are, in order: CKM_AES_KEY_WRAP_KWP (PKCS#11 3.0's RFC 5649),
// CKM_AES_KEY_WRAP_PAD (RFC 5649 in SoftHSM2, PKCS#7 padding in NSS and in
// PKCS#11 3.0), CKM_AES_KEY_WRAP with RFC 5649's initial value. Wrap
// checks each candidate with a known answer before using it.
func planHybrid(label string, alg wrapAlg, offers func(mech, flags uint) bool) (hybridPlan, error) {
	if offers(ckmRSAAESKeyWrap, ckfWrap) {
		return hybridPlan{native: true}, nil
	}
	var plan hybridPlan
	var missing []string
	for _, m := range []kwpMethod{{mech: ckmAESKeyWrapKWP}, {mech: ckmAESKeyWrapPad}, {mech: ckmAESKeyWrap, aiv: true}} {
		if offers(m.mech, ckfWrap) {
			plan.candidates = append(plan.candidates, m)
		}
	}
	if len(plan.candidates) == 0 {
		missing = append(missing, "an AES key wrap mechanism (CKM_AES_KEY_WRAP_KWP, CKM_AES_KEY_WRAP_PAD or CKM_AES_KEY_WRAP) for wrapping")
	}
	if !offers(ckmAESKeyGen, ckfGenerate) {
		missing = append(missing, "CKM_AES_KEY_GEN for the ephemeral key")
	}
	if !offers(ckmRSAPKCSOAEP, ckfWrap) {
		missing = append(missing, "CKM_RSA_PKCS_OAEP for wrapping")
	}
	if len(missing) > 0 {
		return hybridPlan{}, fmt.Errorf("token %q cannot wrap with %s: it does not offer CKM_RSA_AES_KEY_WRAP, and Trent cannot compose it inside the token without %s; use %s instead if the key fits in one RSA block (an AES key does)",
			label, alg.name, strings.Join(missing, " or "), oaepOf(alg))
	}
	return plan, nil
}

// oaepOf names the RSAES_OAEP algorithm with alg's hash.
func oaepOf(alg wrapAlg) string {
	if alg.hash == ckmSHA1 {
		return RSAESOAEPSHA1
	}
	return RSAESOAEPSHA256
}

// kwpKATKEK is RFC 5649 section 6's KEK. The known-answer tests wrap with
// it the RFC's 20-byte example (unaligned) and 32 bytes 00…1f (aligned).
const kwpKATKEK = "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8"

// kwpKATValue returns the known-answer test's input for the alignment.
func kwpKATValue(alignedInput bool) []byte {
	if !alignedInput {
		v, _ := hex.DecodeString("c37b7e6492584340bed12207808941155068f738")
		return v
	}
	v := make([]byte, 32)
	for i := range v {
		v[i] = byte(i)
	}
	return v
}

// kwpIV is RFC 5649's alternative initial value for an input of n bytes.
func kwpIV(n int) []byte {
	iv := []byte{0xA6, 0x59, 0x59, 0xA6, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(iv[4:], uint32(n))
	return iv
}
