package byok

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
	"time"
)

var tokenSecret = []byte("TEST ONLY token secret, 32 bytes")

func sampleToken(t testing.TB) Token {
	t.Helper()
	var tok Token
	copy(tok.KeyID[:], randBytes(t, 16))
	copy(tok.ParamsID[:], randBytes(t, 16))
	tok.Expiry = time.Date(2026, 11, 28, 10, 2, 3, 0, time.UTC)
	tok.WrappingAlgorithm, tok.WrappingKeySpec = RSAESOAEPSHA256, RSA4096
	return tok
}

// forgeToken builds a version-1-shaped token from a raw body, with a valid
// MAC under secret computed here, independently of Seal.
func forgeToken(secret []byte, body [tokenBody]byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body[:])
	return mac.Sum(body[:])
}

func sealed(t testing.TB, tok Token, secret []byte) []byte {
	t.Helper()
	b, err := tok.Seal(secret)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return b
}

// TestTokenRoundTrip seals and opens every algorithm and spec of the token
// tables, and checks the documented layout byte by byte.
func TestTokenRoundTrip(t *testing.T) {
	for ai, alg := range tokenAlgs {
		for si, spec := range tokenSpecs {
			t.Run(alg+"/"+spec, func(t *testing.T) {
				tok := sampleToken(t)
				tok.WrappingAlgorithm, tok.WrappingKeySpec = alg, spec
				b := sealed(t, tok, tokenSecret)
				if len(b) != TokenSize || TokenSize != 75 {
					t.Fatalf("token is %d bytes (TokenSize %d), want 75", len(b), TokenSize)
				}
				if b[0] != 1 || !bytes.Equal(b[1:17], tok.KeyID[:]) || !bytes.Equal(b[17:33], tok.ParamsID[:]) ||
					binary.BigEndian.Uint64(b[33:41]) != uint64(tok.Expiry.Unix()) || b[41] != byte(ai) || b[42] != byte(si) {
					t.Fatalf("token layout differs from token.go's: %x", b)
				}
				if want := forgeToken(tokenSecret, [tokenBody]byte(b[:tokenBody])); !bytes.Equal(b, want) {
					t.Fatalf("MAC is not HMAC-SHA256 of bytes 0..42")
				}
				got, err := OpenToken(tokenSecret, b)
				if err != nil {
					t.Fatalf("OpenToken: %v", err)
				}
				if got.KeyID != tok.KeyID || got.ParamsID != tok.ParamsID || !got.Expiry.Equal(tok.Expiry) ||
					got.WrappingAlgorithm != alg || got.WrappingKeySpec != spec {
					t.Fatalf("OpenToken = %+v, want %+v", got, tok)
				}
			})
		}
	}
}

// TestTokenTables: the token tables hold exactly the wrapping algorithms
// and RSA specs Trent offers (SM2PKE/SM2 are China-only and not offered).
func TestTokenTables(t *testing.T) {
	want := []string{RSAESPKCS1v15, RSAESOAEPSHA1, RSAESOAEPSHA256, RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256}
	if fmt.Sprint(tokenAlgs) != fmt.Sprint(want) {
		t.Errorf("tokenAlgs = %v, want %v", tokenAlgs, want)
	}
	if fmt.Sprint(tokenSpecs) != fmt.Sprint(Specs) {
		t.Errorf("tokenSpecs = %v, Specs = %v", tokenSpecs, Specs)
	}
}

// TestTokenExpiry: the expiry round-trips at second precision, in UTC,
// whatever the location and sub-second part of the sealed time.
func TestTokenExpiry(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"utc", time.Date(2026, 11, 28, 10, 2, 3, 0, time.UTC), time.Date(2026, 11, 28, 10, 2, 3, 0, time.UTC)},
		{"nanoseconds-dropped", time.Date(2026, 11, 28, 10, 2, 3, 999_999_999, time.UTC), time.Date(2026, 11, 28, 10, 2, 3, 0, time.UTC)},
		{"other-zone", time.Date(2026, 11, 28, 19, 2, 3, 500, tokyo), time.Date(2026, 11, 28, 10, 2, 3, 0, time.UTC)},
		{"local-monotonic", time.Unix(1_800_000_000, 123).Local(), time.Unix(1_800_000_000, 0).UTC()},
		{"epoch", time.Unix(0, 0), time.Unix(0, 0).UTC()},
		{"before-epoch", time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"year-9999", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"zero-time", time.Time{}, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := sampleToken(t)
			tok.Expiry = tc.in
			got, err := OpenToken(tokenSecret, sealed(t, tok, tokenSecret))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Expiry.Equal(tc.want) || got.Expiry.Location() != time.UTC {
				t.Fatalf("Expiry = %v (%v), want %v in UTC", got.Expiry, got.Expiry.Location(), tc.want)
			}
			if got.Expiry.Nanosecond() != 0 {
				t.Fatalf("Expiry has %d ns", got.Expiry.Nanosecond())
			}
		})
	}
}

func TestTokenSealRejectsUnknown(t *testing.T) {
	for _, tc := range []struct{ alg, spec string }{
		{SM2PKE, RSA2048},
		{"", RSA2048},
		{"RSAES_OAEP_SHA_512", RSA2048},
		{RSAESOAEPSHA256, SM2},
		{RSAESOAEPSHA256, ""},
		{RSAESOAEPSHA256, "RSA_1024"},
	} {
		t.Run(tc.alg+"/"+tc.spec, func(t *testing.T) {
			tok := sampleToken(t)
			tok.WrappingAlgorithm, tok.WrappingKeySpec = tc.alg, tc.spec
			if b, err := tok.Seal(tokenSecret); err == nil {
				t.Fatalf("Seal = %x, want an error", b)
			}
		})
	}
}

// TestOpenTokenRefusals: anything but an untouched token under the right
// secret gives ErrInvalidToken and a zero Token.
func TestOpenTokenRefusals(t *testing.T) {
	good := sealed(t, sampleToken(t), tokenSecret)
	body := [tokenBody]byte(good[:tokenBody])

	type refusal struct {
		name   string
		secret []byte
		b      []byte
	}
	var tests []refusal
	add := func(name string, secret, b []byte) { tests = append(tests, refusal{name, secret, b}) }

	for i := 0; i < len(good); i++ {
		for bit := 0; bit < 8; bit++ {
			add(fmt.Sprintf("byte-%d-bit-%d", i, bit), tokenSecret, flipBit(good, 8*i+bit))
		}
		add(fmt.Sprintf("byte-%d-ff", i), tokenSecret, flipByte(good, i))
	}
	add("wrong-secret", []byte("TEST ONLY another secret"), good)
	add("empty-secret", nil, good)
	// (Not a trailing zero byte: HMAC pads short keys with zeros.)
	add("secret-with-extra-byte", append(bytes.Clone(tokenSecret), 1), good)
	add("secret-one-byte-short", tokenSecret[:len(tokenSecret)-1], good)
	for _, n := range []int{0, 1, tokenBody, TokenSize - 1, TokenSize + 1, 2 * TokenSize} {
		b := make([]byte, n)
		copy(b, good)
		add(fmt.Sprintf("length-%d", n), tokenSecret, b)
	}
	add("nil", tokenSecret, nil)
	add("truncated-mac", tokenSecret, good[:TokenSize-1])
	add("extended", tokenSecret, append(bytes.Clone(good), 0))

	// Forged with a valid MAC: the content checks must still hold.
	forge := func(name string, edit func(b *[tokenBody]byte)) {
		b := body
		edit(&b)
		add("forged-"+name, tokenSecret, forgeToken(tokenSecret, b))
	}
	forge("version-0", func(b *[tokenBody]byte) { b[0] = 0 })
	forge("version-2", func(b *[tokenBody]byte) { b[0] = 2 })
	forge("version-ff", func(b *[tokenBody]byte) { b[0] = 0xFF })
	forge(fmt.Sprintf("algorithm-index-%d", len(tokenAlgs)), func(b *[tokenBody]byte) { b[41] = byte(len(tokenAlgs)) })
	forge("algorithm-index-200", func(b *[tokenBody]byte) { b[41] = 200 })
	forge("algorithm-index-255", func(b *[tokenBody]byte) { b[41] = 255 })
	forge(fmt.Sprintf("spec-index-%d", len(tokenSpecs)), func(b *[tokenBody]byte) { b[42] = byte(len(tokenSpecs)) })
	forge("spec-index-200", func(b *[tokenBody]byte) { b[42] = 200 })

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := OpenToken(tc.secret, tc.b)
			if err != ErrInvalidToken {
				t.Fatalf("err = %v, want exactly ErrInvalidToken", err)
			}
			if got != (Token{}) {
				t.Fatalf("got %+v alongside the error", got)
			}
		})
	}

	// The forging helper itself is sound: an unedited body opens.
	if _, err := OpenToken(tokenSecret, forgeToken(tokenSecret, body)); err != nil {
		t.Fatalf("forged copy of a good token: %v", err)
	}
}

// TestOpenTokenDoesNotAlias: the token's bytes are copied out.
func TestOpenTokenDoesNotAlias(t *testing.T) {
	tok := sampleToken(t)
	b := sealed(t, tok, tokenSecret)
	got, err := OpenToken(tokenSecret, b)
	if err != nil {
		t.Fatal(err)
	}
	clear(b)
	if got.KeyID != tok.KeyID || got.ParamsID != tok.ParamsID {
		t.Fatal("Token shares memory with the sealed bytes")
	}
}
