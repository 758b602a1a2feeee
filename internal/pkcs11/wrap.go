//go:build cgo

package pkcs11

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	mp "github.com/miekg/pkcs11"

	"github.com/trent-kms/trent/internal/byok"
)

// Wrap wraps the key with the RSA public key wrapping under the KMS
// wrapping algorithm (RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1,
// RSA_AES_KEY_WRAP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSAES_PKCS1_V1_5) and
// returns what KMS's ImportKeyMaterial takes as EncryptedKeyMaterial.
//
// Before changing anything it checks that the wrapping key is an RSA
// public key with CKA_WRAP true and that the token offers the mechanisms
// (C_GetMechanismInfo). OAEP uses MGF1 with the same hash and
// CKZ_DATA_SPECIFIED with an empty label. RSA_AES_KEY_WRAP_* uses the
// token's CKM_RSA_AES_KEY_WRAP with a 256-bit AES key, or, lacking it, the
// same layout composed inside the token (see planHybrid): an ephemeral
// AES-256 session key wraps the key with RFC 5649 and is itself wrapped
// with RSA-OAEP, then destroyed; no key material leaves the token in
// clear.
//
// Exportability follows the BYOK procedure, and Trent enforces it even
// where the token does not (NSS): an extractable key is wrapped; a key
// with extractable=false and modifiable=true is made extractable for the
// wrap (Luna allows this; SoftHSM2 and NSS refuse, which the error
// explains) and set back to extractable=false afterwards, whatever the
// outcome; a key with both false cannot be wrapped.
func (t *Token) Wrap(key, wrapping Handle, algorithm string) (wrapped []byte, err error) {
	if err := t.lock(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	alg, err := lookupAlg(algorithm)
	if err != nil {
		return nil, err
	}
	wk, err := t.attributes(mp.ObjectHandle(wrapping))
	if err != nil {
		return nil, fmt.Errorf("wrapping key (handle %d): %w", wrapping, err)
	}
	if wk.Class != "public-key" || wk.KeyType != "RSA" {
		return nil, fmt.Errorf("the wrapping key (handle %d) is a %s %s, not an RSA public key: import KMS's wrapping key with `trent hsm import-pubkey`", wrapping, wk.KeyType, wk.Class)
	}
	if wk.Wrap != nil && !*wk.Wrap {
		return nil, fmt.Errorf("the wrapping key (handle %d%s) has wrap=false, so the token would refuse it (CKR_KEY_FUNCTION_NOT_PERMITTED); set it with `trent hsm set-attrs --handle %d --wrap`",
			wrapping, labelSuffix(wk.Label), wrapping)
	}
	k, err := t.attributes(mp.ObjectHandle(key))
	if err != nil {
		return nil, fmt.Errorf("key to wrap (handle %d): %w", key, err)
	}
	if k.Class != "secret-key" && k.Class != "private-key" {
		return nil, fmt.Errorf("handle %d is a %s, not a key that can be wrapped", key, k.Class)
	}
	valueLen := -1
	if k.ValueLen != nil {
		valueLen = *k.ValueLen
	}
	var wrapFn wrapFunc
	if k.Class == "private-key" {
		wrapFn, err = t.planPrivateWrap(alg)
	} else {
		wrapFn, err = t.planWrap(alg, valueLen)
	}
	if err != nil {
		return nil, err
	}
	if k.Extractable != nil && !*k.Extractable {
		if k.Modifiable != nil && !*k.Modifiable {
			return nil, fmt.Errorf("the key (handle %d%s) has extractable=false and modifiable=false: it was generated so that it can never leave the token (a wrap fails with CKR_KEY_UNEXTRACTABLE); generate a new key with `trent hsm keygen --extractable`",
				key, labelSuffix(k.Label))
		}
		t.note("key handle %d has extractable=false but is modifiable: setting extractable=true for this wrap, as the BYOK procedure does on Luna; it is set back to false afterwards", key)
		if err := t.setAttributes(mp.ObjectHandle(key), AttrChanges{Bool: map[string]bool{"extractable": true}}); err != nil {
			return nil, fmt.Errorf("the key (handle %d%s) has extractable=false and the token will not make it extractable, so it cannot be wrapped: %w", key, labelSuffix(k.Label), err)
		}
		defer func() {
			rerr := t.setAttributes(mp.ObjectHandle(key), AttrChanges{Bool: map[string]bool{"extractable": false}})
			if rerr != nil {
				wrapped, err = nil, errors.Join(err, fmt.Errorf("could not set extractable back to false on key handle %d (it stays extractable): %w", key, rerr))
			}
		}()
	}
	return wrapFn(mp.ObjectHandle(key), mp.ObjectHandle(wrapping), wk)
}

func labelSuffix(l *string) string {
	if l == nil || *l == "" {
		return ""
	}
	return fmt.Sprintf(", label %q", *l)
}

type wrapFunc func(key, wrapping mp.ObjectHandle, wk Attrs) ([]byte, error)

// planWrap checks that the token can do alg for a key of valueLen bytes
// (-1: not known) and returns the function that does it.
func (t *Token) planWrap(alg wrapAlg, valueLen int) (wrapFunc, error) {
	switch {
	case alg.pkcs1:
		if err := t.requireMechanism(mp.CKM_RSA_PKCS, ckfWrap, "wrap with "+alg.name); err != nil {
			return nil, err
		}
		t.note("RSAES_PKCS1_V1_5: AWS KMS has refused this algorithm since 2023-10-10; a Trent server accepts it only with --allow-pkcs1v15-wrapping")
		return func(key, wrapping mp.ObjectHandle, wk Attrs) ([]byte, error) {
			return t.rsaWrap(alg, mp.NewMechanism(mp.CKM_RSA_PKCS, nil), wrapping, key, wk)
		}, nil
	case !alg.hybrid:
		if err := t.requireMechanism(mp.CKM_RSA_PKCS_OAEP, ckfWrap, "wrap with "+alg.name); err != nil {
			return nil, err
		}
		return func(key, wrapping mp.ObjectHandle, wk Attrs) ([]byte, error) {
			return t.rsaWrap(alg, oaepMechanism(alg), wrapping, key, wk)
		}, nil
	}
	plan, err := planHybrid(t.info.Label, alg, t.offers)
	if err != nil {
		return nil, err
	}
	if plan.native {
		return func(key, wrapping mp.ObjectHandle, _ Attrs) ([]byte, error) {
			p := &mp.RSAAESKeyWrapParams{AESKeyBits: 256, OAEPParams: *mp.NewOAEPParams(alg.hash, alg.mgf, mp.CKZ_DATA_SPECIFIED, nil)}
			out, err := t.ctx.WrapKey(t.sess, []*mp.Mechanism{mp.NewMechanism(mp.CKM_RSA_AES_KEY_WRAP, p)}, wrapping, key)
			if err != nil {
				return nil, p11err("C_WrapKey", err, oaepAdvice(err, alg, "CKM_RSA_AES_KEY_WRAP"))
			}
			return out, nil
		}, nil
	}
	method, err := t.chooseKWP(plan.candidates, valueLen)
	if err != nil {
		return nil, fmt.Errorf("token %q cannot wrap with %s: it has no CKM_RSA_AES_KEY_WRAP, and none of its AES key wrap mechanisms gives RFC 5649 for this key: %w", t.info.Label, alg.name, err)
	}
	t.note("token %q has no CKM_RSA_AES_KEY_WRAP: composing %s inside the token from an ephemeral AES-256 session key, %s and RSA-OAEP with %s",
		t.info.Label, alg.name, method, alg.hashName)
	return func(key, wrapping mp.ObjectHandle, wk Attrs) ([]byte, error) {
		return t.composedWrap(alg, method, valueLen, key, wrapping, wk)
	}, nil
}

func oaepMechanism(alg wrapAlg) *mp.Mechanism {
	return mp.NewMechanism(mp.CKM_RSA_PKCS_OAEP, mp.NewOAEPParams(alg.hash, alg.mgf, mp.CKZ_DATA_SPECIFIED, nil))
}

// rsaWrap wraps with an RSA mechanism and checks the output is one RSA
// block.
func (t *Token) rsaWrap(alg wrapAlg, m *mp.Mechanism, wrapping, key mp.ObjectHandle, wk Attrs) ([]byte, error) {
	out, err := t.ctx.WrapKey(t.sess, []*mp.Mechanism{m}, wrapping, key)
	if err != nil {
		return nil, p11err("C_WrapKey", err, oaepAdvice(err, alg, MechanismName(m.Mechanism)))
	}
	if n := len(wk.Modulus); n > 0 && len(out) != n {
		return nil, fmt.Errorf("C_WrapKey with %s returned %d bytes, not one RSA block of %d bytes", MechanismName(m.Mechanism), len(out), n)
	}
	return out, nil
}

// oaepAdvice explains a token's refusal of OAEP parameters.
func oaepAdvice(err error, alg wrapAlg, mech string) string {
	if alg.pkcs1 || !isRV(err, mp.CKR_ARGUMENTS_BAD) && !isRV(err, mp.CKR_MECHANISM_PARAM_INVALID) {
		return ""
	}
	return fmt.Sprintf("the token offers %s but refused its parameters: RSA-OAEP with %s, MGF1-%s, empty label (SoftHSM2 2.6 accepts only SHA-1); this token cannot wrap with %s: use %s if the KMS key allows it, or a token that supports OAEP with %s",
		mech, alg.hashName, alg.hashName, alg.name, alg.other, alg.hashName)
}

// composedWrap builds RSA-OAEP(ephemeral) || RFC5649(ephemeral, key) in
// the token, as CKM_RSA_AES_KEY_WRAP lays it out.
func (t *Token) composedWrap(alg wrapAlg, method kwpMethod, valueLen int, key, wrapping mp.ObjectHandle, wk Attrs) ([]byte, error) {
	eph, err := t.ctx.GenerateKey(t.sess, []*mp.Mechanism{mp.NewMechanism(mp.CKM_AES_KEY_GEN, nil)}, []*mp.Attribute{
		mp.NewAttribute(mp.CKA_CLASS, mp.CKO_SECRET_KEY), mp.NewAttribute(mp.CKA_KEY_TYPE, mp.CKK_AES),
		mp.NewAttribute(mp.CKA_VALUE_LEN, 32), mp.NewAttribute(mp.CKA_TOKEN, false),
		mp.NewAttribute(mp.CKA_SENSITIVE, true), mp.NewAttribute(mp.CKA_EXTRACTABLE, true),
		mp.NewAttribute(mp.CKA_WRAP, true), mp.NewAttribute(mp.CKA_ENCRYPT, false),
		mp.NewAttribute(mp.CKA_DECRYPT, false), mp.NewAttribute(mp.CKA_LABEL, "trent ephemeral key wrap key"),
	})
	if err != nil {
		return nil, fmt.Errorf("ephemeral AES key: %w", p11err("C_GenerateKey", err, ""))
	}
	defer func() { _ = t.ctx.DestroyObject(t.sess, eph) }()
	rsaPart, err := t.rsaWrap(alg, oaepMechanism(alg), wrapping, eph, wk)
	if err != nil {
		return nil, fmt.Errorf("RSA part (ephemeral key under RSA-OAEP): %w", err)
	}
	kwpPart, err := t.wrapKWP(method, valueLen, eph, key)
	if err != nil {
		return nil, fmt.Errorf("AES part (key under %s): %w", method, p11err("C_WrapKey", err, ""))
	}
	return append(rsaPart, kwpPart...), nil
}

func kwpMechanism(m kwpMethod, n int) *mp.Mechanism {
	if m.aiv {
		return mp.NewMechanism(m.mech, kwpIV(n))
	}
	return mp.NewMechanism(m.mech, nil)
}

// chooseKWP returns the first candidate that passes the known-answer test
// for an input of valueLen bytes (-1: unknown, so any length).
func (t *Token) chooseKWP(candidates []kwpMethod, valueLen int) (kwpMethod, error) {
	alignedInput := valueLen > 0 && aligned(valueLen)
	var why []string
	for _, m := range candidates {
		if m.aiv && !alignedInput { // RFC 3394 with the AIV: aligned inputs only
			why = append(why, fmt.Sprintf("%s only fits inputs of 16 bytes or more in multiples of 8", m))
			continue
		}
		err := t.checkKWP(m, alignedInput)
		if err == nil {
			return m, nil
		}
		// A token that will not hold the test values (a FIPS policy
		// against clear keys) cannot be checked: the mechanisms PKCS#11
		// defines as RFC 5649 are then trusted, CKM_AES_KEY_WRAP_PAD,
		// whose meaning varies, is not.
		var u *katUntestable
		if errors.As(err, &u) && m.mech != ckmAESKeyWrapPad {
			t.note("%v; trusting it, as PKCS#11 defines it", err)
			return m, nil
		}
		why = append(why, err.Error())
	}
	return kwpMethod{}, errors.New(strings.Join(why, "; "))
}

// katUntestable is a known-answer test the token would not run.
type katUntestable struct {
	m   kwpMethod
	err error
}

func (e *katUntestable) Error() string { return fmt.Sprintf("%s could not be tested: %v", e.m, e.err) }
func (e *katUntestable) Unwrap() error { return e.err }

type katKey struct {
	m       kwpMethod
	aligned bool
}

// checkKWP runs a known-answer test of the method in the token, once per
// Token and alignment: it wraps a test value under RFC 5649's test KEK,
// both held in throwaway session objects, and compares with RFC 5649 as
// computed in Go (byok.KeyWrapPad, itself tested against the RFC).
func (t *Token) checkKWP(m kwpMethod, alignedInput bool) error {
	k := katKey{m, alignedInput}
	if err, done := t.kat[k]; done {
		return err
	}
	err := t.runKWPKAT(m, alignedInput)
	t.kat[k] = err
	return err
}

func (t *Token) runKWPKAT(m kwpMethod, alignedInput bool) error {
	kek, _ := hex.DecodeString(kwpKATKEK)
	val := kwpKATValue(alignedInput)
	want, err := byok.KeyWrapPad(kek, val)
	if err != nil {
		return err
	}
	kh, err := t.ctx.CreateObject(t.sess, []*mp.Attribute{
		mp.NewAttribute(mp.CKA_CLASS, mp.CKO_SECRET_KEY), mp.NewAttribute(mp.CKA_KEY_TYPE, mp.CKK_AES),
		mp.NewAttribute(mp.CKA_TOKEN, false), mp.NewAttribute(mp.CKA_WRAP, true), mp.NewAttribute(mp.CKA_VALUE, kek),
	})
	if err != nil {
		return &katUntestable{m, p11err("C_CreateObject", err, "")}
	}
	defer func() { _ = t.ctx.DestroyObject(t.sess, kh) }()
	vh, err := t.ctx.CreateObject(t.sess, []*mp.Attribute{
		mp.NewAttribute(mp.CKA_CLASS, mp.CKO_SECRET_KEY), mp.NewAttribute(mp.CKA_KEY_TYPE, mp.CKK_GENERIC_SECRET),
		mp.NewAttribute(mp.CKA_TOKEN, false), mp.NewAttribute(mp.CKA_EXTRACTABLE, true), mp.NewAttribute(mp.CKA_VALUE, val),
	})
	if err != nil {
		return &katUntestable{m, p11err("C_CreateObject", err, "")}
	}
	defer func() { _ = t.ctx.DestroyObject(t.sess, vh) }()
	got, err := t.wrapKWP(m, len(val), kh, vh)
	if err != nil {
		return fmt.Errorf("%s fails on RFC 5649's test values: %w", m, p11err("C_WrapKey", err, ""))
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s is not RFC 5649 for %d-byte inputs (its output for a known answer differs)", m, len(val))
	}
	return nil
}
