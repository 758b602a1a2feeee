package byok

import (
	"bytes"
	"crypto/aes"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
)

var fuzzKEKSizes = [3]int{16, 24, 32}

// FuzzKeyUnwrapPad: KeyUnwrapPad never panics and fails only with errKWP;
// whatever it accepts, KeyWrapPad under the same KEK turns back into
// exactly the same ciphertext (the unwrapping is the inverse of a
// permutation, so there is one ciphertext per plaintext).
//
// Random ciphertexts almost never pass the integrity check, so when the
// top bit of sizeSel is set the fuzzer's bytes are taken as the decrypted
// AIV || padded data instead and run through the raw RFC 3394 wrapping
// first: the fuzzer then controls the ICV, MLI and padding directly.
func FuzzKeyUnwrapPad(f *testing.F) {
	for i, size := range fuzzKEKSizes {
		kek := bytes.Repeat([]byte{byte(i + 1)}, size)
		for _, n := range []int{1, 7, 8, 9, 20, 32, 33, 64} {
			ct, err := KeyWrapPad(kek, bytes.Repeat([]byte{byte(n)}, n))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(i), kek, ct)
		}
		f.Add(uint8(i), kek, make([]byte, 16))
		// Raw mode: AIV A65959A6 || MLI 5, then 5 data bytes and zero padding.
		f.Add(uint8(i)|0x80, kek, []byte{0xA6, 0x59, 0x59, 0xA6, 0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0})
		// Raw mode, non-zero padding byte 0x02 (must be refused).
		f.Add(uint8(i)|0x80, kek, []byte{0xA6, 0x59, 0x59, 0xA6, 0, 0, 0, 5, 1, 2, 3, 4, 5, 0x02, 0, 0})
		f.Add(uint8(i)|0x80, kek, append([]byte{0xA6, 0x59, 0x59, 0xA6, 0, 0, 0, 17}, make([]byte, 24)...))
		f.Add(uint8(i), kek, make([]byte, 24))
	}
	f.Fuzz(func(t *testing.T, sizeSel uint8, kekSeed, ct []byte) {
		kek := make([]byte, fuzzKEKSizes[int(sizeSel)%len(fuzzKEKSizes)])
		copy(kek, kekSeed)
		if sizeSel&0x80 != 0 && len(ct) >= 16 && len(ct)%8 == 0 {
			ct = rawKWP(t, kek, [8]byte(ct[:8]), ct[8:])
		}
		pt, err := KeyUnwrapPad(kek, ct)
		if err != nil {
			if err != errKWP || pt != nil {
				t.Fatalf("KeyUnwrapPad = %x, %v; want nil, errKWP", pt, err)
			}
			return
		}
		if len(pt) == 0 {
			t.Fatalf("KeyUnwrapPad accepted %x as empty plaintext", ct)
		}
		again, err := KeyWrapPad(kek, pt)
		if err != nil {
			t.Fatalf("KeyWrapPad of unwrapped %x: %v", pt, err)
		}
		if !bytes.Equal(again, ct) {
			if a := rawUnKWP(t, kek, ct); !bytes.Equal(a[8+len(pt):], make([]byte, len(a)-8-len(pt))) {
				regression(t, "KeyUnwrapPad accepted non-zero padding %x (see TestKeyUnwrapPadNonZeroPadding)", a[8+len(pt):])
			}
			t.Fatalf("rewrap of %x = %x, want the ciphertext %x", pt, again, ct)
		}
	})
}

// rawUnKWP decrypts a KWP ciphertext to AIV || padded data with no checks.
func rawUnKWP(t testing.TB, kek, ct []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(kek)
	if err != nil {
		t.Fatal(err)
	}
	a := bytes.Clone(ct)
	if n := len(a)/8 - 1; n == 1 {
		block.Decrypt(a, a)
	} else {
		unwrap(block, a, n)
	}
	return a
}

// FuzzOpenToken: OpenToken never panics; anything that opens re-seals to
// the same bytes. Besides the raw input, the fuzzer's bytes are also tried
// with a valid MAC appended under the secret, so that the content checks
// (version, table indexes, expiry) are reached rather than just the MAC.
func FuzzOpenToken(f *testing.F) {
	tok := Token{KeyID: [16]byte{1, 2, 3}, ParamsID: [16]byte{4, 5, 6}}
	for ai, alg := range tokenAlgs {
		for si, spec := range tokenSpecs {
			tok.WrappingAlgorithm, tok.WrappingKeySpec = alg, spec
			b, err := tok.Seal(tokenSecret)
			if err != nil {
				f.Fatal(err)
			}
			b[33] = byte(ai*7 + si) // vary the expiry too
			f.Add(tokenSecret, b)
			f.Add(tokenSecret, b[:tokenBody])
		}
	}
	f.Add([]byte{}, []byte{})
	f.Add([]byte("k"), make([]byte, TokenSize))
	f.Fuzz(func(t *testing.T, secret, b []byte) {
		check := func(b []byte) {
			tok, err := OpenToken(secret, b)
			if err != nil {
				if err != ErrInvalidToken || tok != (Token{}) {
					t.Fatalf("OpenToken = %+v, %v; want zero, ErrInvalidToken", tok, err)
				}
				return
			}
			again, err := tok.Seal(secret)
			if err != nil {
				t.Fatalf("Seal of opened %+v: %v", tok, err)
			}
			if !bytes.Equal(again, b) {
				t.Fatalf("re-sealed %+v = %x, want %x", tok, again, b)
			}
		}
		check(b)
		if len(b) >= tokenBody {
			check(forgeToken(secret, [tokenBody]byte(b[:tokenBody])))
		}
	})
}

// fuzzAlgs are the names FuzzUnwrap picks from: the five algorithms and
// two that Unwrap does not know.
var fuzzAlgs = []string{RSAESPKCS1v15, RSAESOAEPSHA1, RSAESOAEPSHA256, RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256, SM2PKE, ""}

// FuzzUnwrap: Unwrap under the fixed TEST ONLY 2048-bit key never panics
// and fails only with ErrUnwrap.
func FuzzUnwrap(f *testing.F) {
	priv := wrappingKey(f, 2048)
	m := bytes.Repeat([]byte{0x5A}, 32)
	for i, alg := range fuzzAlgs {
		var w []byte
		switch alg {
		case RSAESPKCS1v15:
			var err error
			//lint:ignore SA1019 the legacy PKCS #1 v1.5 wrapping that Unwrap admits when a server enables it.
			if w, err = rsa.EncryptPKCS1v15(rand.Reader, &priv.PublicKey, m); err != nil {
				f.Fatal(err)
			}
		case RSAESOAEPSHA1, RSAESOAEPSHA256, RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256:
			w = wrapGo(f, &priv.PublicKey, alg, m, 32)
		default:
			w = make([]byte, priv.Size())
		}
		f.Add(uint8(i), w)
		if len(w) > priv.Size() {
			f.Add(uint8(i), w[:priv.Size()+16])
		}
	}
	f.Fuzz(func(t *testing.T, algSel uint8, wrapped []byte) {
		alg := fuzzAlgs[int(algSel)%len(fuzzAlgs)]
		got, err := Unwrap(priv, alg, wrapped, 32)
		if err != nil {
			if err != ErrUnwrap || !errors.Is(err, ErrUnwrap) || got != nil {
				t.Fatalf("Unwrap(%s) = %x, %v; want nil, ErrUnwrap", alg, got, err)
			}
			return
		}
		// (maxMaterial+8, not maxMaterial: see TestUnwrapMaterialSizeLimit.)
		if len(got) == 0 || len(got) > maxMaterial+8 || (alg == RSAESPKCS1v15 && len(got) != 32) {
			t.Fatalf("Unwrap(%s) returned %d bytes", alg, len(got))
		}
	})
}
