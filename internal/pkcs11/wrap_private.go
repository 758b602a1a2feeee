//go:build cgo

package pkcs11

import (
	"fmt"

	mp "github.com/miekg/pkcs11"
)

// maxWrappedPrivateKey bounds the output of wrapping a private key: the
// PKCS#8 of an RSA-4096 key is under 2.5 KB.
const maxWrappedPrivateKey = 16 << 10

// planPrivateWrap is planWrap for a private key, which the token wraps as
// its PKCS#8 PrivateKeyInfo (what KMS imports for asymmetric keys). It
// refuses RSAES_* (a PKCS#8 key does not fit in one RSA block, and KMS
// takes asymmetric key material only with RSA_AES_KEY_WRAP_*). A token
// with CKM_RSA_AES_KEY_WRAP wraps natively. Otherwise the composition
// needs an RFC 5649 key wrap that is right for inputs of any length, since
// the token never reveals the PKCS#8's length and it is rarely a multiple
// of 8: CKM_AES_KEY_WRAP_KWP called with a large buffer (NSS softokn's
// passes the known-answer test so), then the candidates of planHybrid,
// each checked with the unaligned known answer. SoftHSM2 2.6 has none:
// its CKM_AES_KEY_WRAP_PAD pads with zeros first, which is RFC 5649 only
// for lengths that are a multiple of 8, and the error says so.
func (t *Token) planPrivateWrap(alg wrapAlg) (wrapFunc, error) {
	if !alg.hybrid {
		return nil, fmt.Errorf("a private key is wrapped as its PKCS#8 encoding, which does not fit in one RSA block: KMS imports asymmetric key material only with %s or %s",
			RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1)
	}
	plan, err := planHybrid(t.info.Label, alg, t.offers)
	if err != nil || plan.native {
		return t.planWrap(alg, -1)
	}
	var candidates []kwpMethod
	if t.offers(ckmAESKeyWrapKWP, ckfWrap) {
		candidates = append(candidates, kwpMethod{mech: ckmAESKeyWrapKWP, buffered: true})
	}
	for _, m := range plan.candidates {
		if !m.aiv && m.mech != ckmAESKeyWrapKWP {
			candidates = append(candidates, m)
		}
	}
	method, err := t.chooseKWP(candidates, -1)
	if err != nil {
		return nil, fmt.Errorf("token %q cannot wrap a private key with %s: it has no CKM_RSA_AES_KEY_WRAP, and none of its AES key wrap mechanisms gives RFC 5649 for inputs of any length (a PKCS#8 key's length is rarely a multiple of 8, and the token does not reveal it): %v; wrap the key on a token that has CKM_RSA_AES_KEY_WRAP or an RFC 5649 CKM_AES_KEY_WRAP_KWP (NSS softokn has one)",
			t.info.Label, alg.name, err)
	}
	t.note("token %q has no CKM_RSA_AES_KEY_WRAP: composing %s inside the token from an ephemeral AES-256 session key, %s over the private key's PKCS#8 and RSA-OAEP with %s",
		t.info.Label, alg.name, method, alg.hashName)
	return func(key, wrapping mp.ObjectHandle, wk Attrs) ([]byte, error) {
		return t.composedWrap(alg, method, -1, key, wrapping, wk)
	}, nil
}

// wrapKWP wraps key under kek with an RFC 5649 method for an input of n
// bytes (n is used by the RFC 3394 method with RFC 5649's initial value).
func (t *Token) wrapKWP(m kwpMethod, n int, kek, key mp.ObjectHandle) ([]byte, error) {
	if m.buffered {
		return t.wrapKeyBuffered(m.mech, kek, key, maxWrappedPrivateKey)
	}
	return t.ctx.WrapKey(t.sess, []*mp.Mechanism{kwpMechanism(m, n)}, kek, key)
}
