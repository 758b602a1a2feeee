//go:build cgo

package pkcs11

import (
	"bytes"
	"crypto/aes"
	"crypto/sha1"
	"testing"

	mp "github.com/miekg/pkcs11"
)

func mpHandle(h Handle) mp.ObjectHandle { return mp.ObjectHandle(h) }

// cmac is AES-CMAC (RFC 4493) of one full block.
func cmac(t *testing.T, key, block []byte) []byte {
	t.Helper()
	c, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	l := make([]byte, 16)
	c.Encrypt(l, l)
	k1 := make([]byte, 16)
	carry := byte(0)
	for i := 15; i >= 0; i-- {
		k1[i] = l[i]<<1 | carry
		carry = l[i] >> 7
	}
	if l[0]&0x80 != 0 {
		k1[15] ^= 0x87
	}
	out := make([]byte, 16)
	for i := range out {
		out[i] = block[i] ^ k1[i]
	}
	c.Encrypt(out, out)
	return out
}

func TestCheckValue(t *testing.T) {
	for _, k := range tokenKinds {
		t.Run(k.name, func(t *testing.T) {
			tok := k.open(t)
			key := sessionKey(t, tok, BYOKKeySpec())
			v := keyValue(t, tok, key)
			kcv, err := tok.CheckValue(key)
			if err != nil || kcv.Method != KCVAESECB || !bytes.Equal(kcv.Value, goKCV(t, v)) {
				t.Errorf("encrypt=true: %+v, %v; Go: %x", kcv, err, goKCV(t, v))
			}

			// encrypt=false: SoftHSM2 gives CKA_CHECK_VALUE (the same
			// value); NSS does not, so AES-CMAC if sign=true.
			spec := BYOKKeySpec()
			spec.Encrypt, spec.Sign = false, true
			key = sessionKey(t, tok, spec)
			v = keyValue(t, tok, key)
			kcv, err = tok.CheckValue(key)
			switch {
			case err != nil:
				t.Errorf("encrypt=false: %v", err)
			case k.name == "softhsm" && (kcv.Method != KCVAttribute || !bytes.Equal(kcv.Value, goKCV(t, v))):
				t.Errorf("encrypt=false: %+v; Go: %x", kcv, goKCV(t, v))
			case k.name == "nss" && (kcv.Method != KCVAESCMAC || !bytes.Equal(kcv.Value, cmac(t, v, make([]byte, 16))[:3])):
				t.Errorf("encrypt=false: %+v; Go CMAC: %x", kcv, cmac(t, v, make([]byte, 16))[:3])
			}

			spec.Sign = false
			key = sessionKey(t, tok, spec)
			kcv, err = tok.CheckValue(key)
			if k.name == "nss" {
				wantErr(t, err, "no check value can be computed inside the token for key handle ",
					"it has encrypt=false (AES-ECB needs encrypt=true); the token gives no CKA_CHECK_VALUE; AES-CMAC needs sign=true and CKM_AES_CMAC; if the key is modifiable, set encrypt=true with `trent hsm set-attrs`")
			} else if err != nil || kcv.Method != KCVAttribute {
				t.Errorf("encrypt=false sign=false: %+v, %v", kcv, err)
			}

			g := sessionKey(t, tok, HMACKeySpec(32))
			v = keyValue(t, tok, g)
			kcv, err = tok.CheckValue(g)
			if sum := sha1.Sum(v); err != nil || !bytes.Equal(kcv.Value, sum[:3]) {
				t.Errorf("generic secret: %+v, %v; SHA-1 %x", kcv, err, sum[:3])
			}
			t.Logf("generic secret check value method: %s", kcv.Method)

			_, err = tok.CheckValue(wrappingKey(t, tok))
			wantErr(t, err, "is a public-key: check values are for secret keys")
		})
	}
}
