//go:build cgo

package pkcs11

import (
	"fmt"

	mp "github.com/miekg/pkcs11"
)

// hmacMechs are the HMAC mechanisms by KMS's MacAlgorithmSpec.
var hmacMechs = map[string]uint{
	"HMAC_SHA_224": mp.CKM_SHA224_HMAC, "HMAC_SHA_256": mp.CKM_SHA256_HMAC,
	"HMAC_SHA_384": mp.CKM_SHA384_HMAC, "HMAC_SHA_512": mp.CKM_SHA512_HMAC,
}

// SignHMAC computes the HMAC of msg with a generic secret in the token
// (C_Sign with CKM_SHA<n>_HMAC), alg being KMS's MacAlgorithmSpec
// (HMAC_SHA_256 …): how `trent byok import` shows that an HMAC key
// imported into KMS is the HSM's, comparing with KMS's GenerateMac,
// without the key leaving the token. The key needs CKA_SIGN, which
// keygen sets for HMAC keys.
func (t *Token) SignHMAC(h Handle, alg string, msg []byte) ([]byte, error) {
	mech, ok := hmacMechs[alg]
	if !ok {
		return nil, fmt.Errorf("MAC algorithm %q: use HMAC_SHA_224, HMAC_SHA_256, HMAC_SHA_384 or HMAC_SHA_512", alg)
	}
	if err := t.lock(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	if err := t.requireMechanism(mech, ckfSign, "compute an "+alg); err != nil {
		return nil, err
	}
	if err := t.ctx.SignInit(t.sess, []*mp.Mechanism{mp.NewMechanism(mech, nil)}, mp.ObjectHandle(h)); err != nil {
		return nil, p11err("C_SignInit", err, "the key needs sign=true (trent hsm set-attrs --sign)")
	}
	out, err := t.ctx.Sign(t.sess, msg)
	if err != nil {
		return nil, p11err("C_Sign", err, "")
	}
	return out, nil
}
