package pkcs11

import (
	"fmt"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/byok"
)

func TestError(t *testing.T) {
	e := newError("C_WrapKey", 0x6A, "")
	want := "C_WrapKey: CKR_KEY_UNEXTRACTABLE (0x6A): the key was generated with extractable=false and can never leave the token; generate a new one with `trent hsm keygen --extractable`"
	if e.Error() != want {
		t.Errorf("got %q", e.Error())
	}
	if got := newError("C_Login", 0xA0, "custom").Error(); got != "C_Login: CKR_PIN_INCORRECT (0xA0): custom" {
		t.Errorf("got %q", got)
	}
	if got := newError("C_X", 0x80000001, "").Error(); !strings.Contains(got, "CKR_VENDOR_DEFINED+0x1") || !strings.Contains(got, "vendor") {
		t.Errorf("got %q", got)
	}
	if got := newError("C_X", 0x9999, "").Error(); got != "C_X: CKR_0x9999 (0x9999)" {
		t.Errorf("got %q", got)
	}
	wrapped := fmt.Errorf("context: %w", newError("C_Login", 0xA0, ""))
	if !IsCode(wrapped, "CKR_PIN_INCORRECT") || IsCode(wrapped, "CKR_OK") {
		t.Error("IsCode")
	}
	for code, i := range returnCodes {
		if !strings.HasPrefix(i.name, "CKR_") || code != 0 && i.advice == "" {
			t.Errorf("table entry 0x%X: %+v", code, i)
		}
	}
}

func TestNames(t *testing.T) {
	if MechanismName(0x1054) != "CKM_RSA_AES_KEY_WRAP" || MechanismName(0x80000001) != "CKM_VENDOR_0x80000001" || MechanismName(0x7777) != "CKM_0x7777" {
		t.Error("MechanismName")
	}
	if got := flagNames(0x20000|0x100|0x10000000, mechFlagNames); strings.Join(got, ",") != "encrypt,wrap,0x10000000" {
		t.Errorf("flagNames = %v", got)
	}
	for _, n := range []string{"public", "public-key", "private", "cert", "secret-key", "data"} {
		if _, err := classValue(n); err != nil {
			t.Error(err)
		}
	}
	if _, err := classValue("secret"); err == nil {
		t.Error("classValue(secret)")
	}
	if keyTypeName(0x1F) != "AES" || keyTypeName(0x80000000) != "VENDOR_0x80000000" || className(99) != "CKO_0x63" {
		t.Error("names")
	}
}

func TestPlanHybrid(t *testing.T) {
	offer := func(have map[uint]uint) func(m, f uint) bool {
		return func(m, f uint) bool { return have[m]&f == f && have[m] != 0 }
	}
	alg := wrapAlgs[byok.RSAAESKeyWrapSHA256]
	full := map[uint]uint{ckmAESKeyGen: ckfGenerate, ckmRSAPKCSOAEP: ckfWrap, ckmAESKeyWrapPad: ckfWrap, ckmAESKeyWrap: ckfWrap}
	p, err := planHybrid("t", alg, offer(full))
	if err != nil || p.native || len(p.candidates) != 2 || p.candidates[0].mech != ckmAESKeyWrapPad || !p.candidates[1].aiv {
		t.Errorf("plan = %+v, %v", p, err)
	}
	full[ckmRSAAESKeyWrap] = ckfWrap
	if p, err := planHybrid("t", alg, offer(full)); err != nil || !p.native {
		t.Errorf("native: %+v, %v", p, err)
	}
	_, err = planHybrid("t", alg, offer(map[uint]uint{ckmRSAPKCSOAEP: ckfWrap, ckmAESKeyWrapPad: 0x100}))
	want := `token "t" cannot wrap with RSA_AES_KEY_WRAP_SHA_256: it does not offer CKM_RSA_AES_KEY_WRAP, and Trent cannot compose it inside the token without an AES key wrap mechanism (CKM_AES_KEY_WRAP_KWP, CKM_AES_KEY_WRAP_PAD or CKM_AES_KEY_WRAP) for wrapping or CKM_AES_KEY_GEN for the ephemeral key; use RSAES_OAEP_SHA_256 instead`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v", err)
	}
	// The names and the algorithm table agree with internal/byok.
	for _, a := range []string{byok.RSAESOAEPSHA256, byok.RSAESOAEPSHA1, byok.RSAAESKeyWrapSHA256, byok.RSAAESKeyWrapSHA1, byok.RSAESPKCS1v15} {
		if _, err := lookupAlg(a); err != nil {
			t.Error(err)
		}
	}
	if _, err := lookupAlg("SM2PKE"); err == nil || !strings.Contains(err.Error(), "use one of RSAES_OAEP_SHA_256") {
		t.Errorf("got %v", err)
	}
}

func TestKWPKnownAnswer(t *testing.T) {
	// The unaligned known answer is RFC 5649's own example.
	kek := []byte{0x58, 0x40, 0xdf, 0x6e, 0x29, 0xb0, 0x2a, 0xf1, 0xab, 0x49, 0x3b, 0x70, 0x5b, 0xf1, 0x6e, 0xa1, 0xae, 0x83, 0x38, 0xf4, 0xdc, 0xc1, 0x76, 0xa8}
	got, err := byok.KeyWrapPad(kek, kwpKATValue(false))
	if err != nil || fmt.Sprintf("%x", got) != "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a" {
		t.Errorf("RFC 5649 example: %x, %v", got, err)
	}
	if fmt.Sprintf("%x", kek) != kwpKATKEK || !aligned(32) || aligned(20) || aligned(8) {
		t.Error("KAT constants")
	}
	if fmt.Sprintf("%x", kwpIV(32)) != "a65959a600000020" {
		t.Error("kwpIV")
	}
}
