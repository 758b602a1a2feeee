//go:build cgo

package pkcs11

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"testing"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// TestWrapPrivateKey wraps generated private keys with RSA_AES_KEY_WRAP_*
// and unwraps them with Trent's internal/byok, as a KMS import does: the
// result is exactly the PKCS#8 encoding (no trailing bytes) of a key
// whose public key is the token's, for PKCS#8 lengths both multiples of 8
// and not. NSS softokn composes it with its CKM_AES_KEY_WRAP_KWP; SoftHSM2
// 2.6 cannot (no RFC 5649 wrap for every length) and must say so.
func TestWrapPrivateKey(t *testing.T) {
	for _, k := range tokenKinds {
		t.Run(k.name, func(t *testing.T) {
			tok := k.open(t)
			wk := wrappingKey(t, tok)
			algs := []string{RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256}
			if k.name == "softhsm" {
				_, priv := pairKey(t, tok, ecSpec("P-256"))
				_, err := tok.Wrap(priv, wk, RSAAESKeyWrapSHA1)
				wantErr(t, err, `token "trent-test" cannot wrap a private key with RSA_AES_KEY_WRAP_SHA_1`, "CKM_AES_KEY_WRAP_PAD is not RFC 5649 for 20-byte inputs", "NSS softokn has one")
				return
			}
			specs := []KeyPairSpec{ecSpec("P-256"), ecSpec("P-384"), ecSpec("P-521")}
			for range 6 {
				specs = append(specs, rsaSpec(2048))
			}
			lengths := map[bool]int{}
			for _, s := range specs {
				s.Private = false // the NSS test token has no login
				pub, priv := pairKey(t, tok, s)
				for _, alg := range algs {
					w, err := tok.Wrap(priv, wk, alg)
					if err != nil {
						t.Fatalf("%s %s%s: %v", alg, s.Type, s.Curve, err)
					}
					pkcs8, err := byok.Unwrap(pkcs11test.RSAKey(t), alg, w, 0)
					if err != nil {
						t.Fatal(err)
					}
					lengths[len(pkcs8)%8 == 0]++
					var seq asn1.RawValue
					if rest, err := asn1.Unmarshal(pkcs8, &seq); err != nil || len(rest) > 0 || seq.Tag != asn1.TagSequence {
						t.Errorf("%s %s%s: %d bytes, not exactly one DER SEQUENCE", alg, s.Type, s.Curve, len(pkcs8))
					}
					want, err := tok.PublicKeyDER(pub)
					if err != nil {
						t.Fatal(err)
					}
					key, err := x509.ParsePKCS8PrivateKey(pkcs8)
					if err != nil {
						t.Fatal(err)
					}
					if got, _ := x509.MarshalPKIXPublicKey(key.(crypto.Signer).Public()); !bytes.Equal(got, want) {
						t.Errorf("%s %s%s: the unwrapped key's public key differs from the token's", alg, s.Type, s.Curve)
					}
				}
			}
			t.Logf("PKCS#8 lengths aligned/unaligned: %d/%d", lengths[true], lengths[false])
			if lengths[false] == 0 {
				t.Error("no PKCS#8 of a length that is not a multiple of 8 was wrapped")
			}
			_, priv := pairKey(t, tok, ecSpec("P-256"))
			_, err := tok.Wrap(priv, wk, RSAESOAEPSHA1)
			wantErr(t, err, "does not fit in one RSA block", "only with RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1")
		})
	}
}

// TestWrapHMACKey wraps a generic secret for HMAC with RSAES_OAEP_* and
// checks the unwrapped value against the token's SHA-1 check value.
func TestWrapHMACKey(t *testing.T) {
	for _, c := range []struct {
		kind tokenKind
		alg  string
	}{{tokenKinds[0], RSAESOAEPSHA1}, {tokenKinds[1], RSAESOAEPSHA1}, {tokenKinds[1], RSAESOAEPSHA256}} {
		t.Run(c.kind.name+"/"+c.alg, func(t *testing.T) {
			tok := c.kind.open(t)
			spec := HMACKeySpec(64)
			spec.Private = c.kind.name == "softhsm"
			h := sessionKey(t, tok, spec)
			w, err := tok.Wrap(h, wrappingKey(t, tok), c.alg)
			if err != nil {
				t.Fatal(err)
			}
			v, err := byok.Unwrap(pkcs11test.RSAKey(t), c.alg, w, 0)
			if err != nil {
				t.Fatal(err)
			}
			kcv, err := tok.CheckValue(h)
			sum := sha1.Sum(v)
			if err != nil || len(v) != 64 || !bytes.Equal(kcv.Value, sum[:3]) {
				t.Errorf("unwrapped %d bytes, kcv %v (%v), want %x", len(v), kcv, err, sum[:3])
			}
		})
	}
}

// TestSignHMAC checks the token's HMAC-SHA-256 against Go's, with a key
// whose value the test reads back by wrapping it.
func TestSignHMAC(t *testing.T) {
	for _, k := range tokenKinds {
		t.Run(k.name, func(t *testing.T) {
			tok := k.open(t)
			spec := HMACKeySpec(32)
			spec.Private = k.name == "softhsm"
			h := sessionKey(t, tok, spec)
			if _, err := tok.SignHMAC(h, "HMAC_MD5", nil); err == nil {
				t.Error("HMAC_MD5 accepted")
			}
			got, err := tok.SignHMAC(h, "HMAC_SHA_256", []byte("mac me"))
			if err != nil {
				t.Fatal(err)
			}
			m := hmac.New(sha256.New, keyValue(t, tok, h))
			m.Write([]byte("mac me"))
			if !hmac.Equal(got, m.Sum(nil)) {
				t.Errorf("token HMAC %x differs from Go's", got)
			}
		})
	}
}
