package byok

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"
	"testing"
)

// oaepAlgs are the four wrapping algorithms AWS offers outside China.
var oaepAlgs = []string{RSAESOAEPSHA1, RSAESOAEPSHA256, RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256}

func isHybrid(alg string) bool { return alg == RSAAESKeyWrapSHA1 || alg == RSAAESKeyWrapSHA256 }

func oaepHash(t testing.TB, alg string) hash.Hash {
	t.Helper()
	switch alg {
	case RSAESOAEPSHA1, RSAAESKeyWrapSHA1:
		return sha1.New()
	case RSAESOAEPSHA256, RSAAESKeyWrapSHA256:
		return sha256.New()
	}
	t.Fatalf("no OAEP hash for %s", alg)
	return nil
}

// wrapGo wraps material for alg with Go's crypto, as a client following
// import.md §4 would; for the hybrid algorithms the ephemeral AES key has
// kekLen bytes.
func wrapGo(t testing.TB, pub *rsa.PublicKey, alg string, material []byte, kekLen int) []byte {
	t.Helper()
	if !isHybrid(alg) {
		ct, err := rsa.EncryptOAEP(oaepHash(t, alg), rand.Reader, pub, material, nil)
		if err != nil {
			t.Fatalf("EncryptOAEP(%s, %d bytes): %v", alg, len(material), err)
		}
		return ct
	}
	kek := randBytes(t, kekLen)
	rsaPart, err := rsa.EncryptOAEP(oaepHash(t, alg), rand.Reader, pub, kek, nil)
	if err != nil {
		t.Fatal(err)
	}
	kwpPart, err := KeyWrapPad(kek, material)
	if err != nil {
		t.Fatal(err)
	}
	return append(rsaPart, kwpPart...)
}

// wrapOpenSSL wraps material for alg with the exact openssl command
// sequences of import.md §4 ([D-enc]), run in a temporary directory with
// the wrapping public key as a DER SubjectPublicKeyInfo, as
// GetParametersForImport returns it.
func wrapOpenSSL(t testing.TB, bin string, pub *rsa.PublicKey, alg string, material []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "WrappingPublicKey.bin", spki)
	writeFile(t, dir, "PlaintextKeyMaterial.bin", material)
	md := "sha1"
	if alg == RSAESOAEPSHA256 || alg == RSAAESKeyWrapSHA256 {
		md = "sha256"
	}
	switch alg {
	case RSAESOAEPSHA1:
		runOpenSSL(t, bin, dir, "pkeyutl", "-encrypt", "-in", "PlaintextKeyMaterial.bin", "-out", "EncryptedKeyMaterial.bin",
			"-inkey", "WrappingPublicKey.bin", "-keyform", "DER", "-pubin",
			"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1")
		return readFile(t, dir, "EncryptedKeyMaterial.bin")
	case RSAESOAEPSHA256:
		runOpenSSL(t, bin, dir, "pkeyutl", "-encrypt", "-in", "PlaintextKeyMaterial.bin", "-out", "EncryptedKeyMaterial.bin",
			"-inkey", "WrappingPublicKey.bin", "-keyform", "DER", "-pubin",
			"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256")
		return readFile(t, dir, "EncryptedKeyMaterial.bin")
	case RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256:
		runOpenSSL(t, bin, dir, "rand", "-out", "aes-key.bin", "32")
		aesKey := readFile(t, dir, "aes-key.bin")
		runOpenSSL(t, bin, dir, "enc", "-id-aes256-wrap-pad", "-K", hex.EncodeToString(aesKey), "-iv", "A65959A6",
			"-in", "PlaintextKeyMaterial.bin", "-out", "key-material-wrapped.bin")
		runOpenSSL(t, bin, dir, "pkeyutl", "-encrypt", "-in", "aes-key.bin", "-out", "aes-key-wrapped.bin",
			"-inkey", "WrappingPublicKey.bin", "-keyform", "DER", "-pubin",
			"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:"+md, "-pkeyopt", "rsa_mgf1_md:"+md)
		kwpPart := readFile(t, dir, "key-material-wrapped.bin")
		// The KWP half must be exactly what KeyWrapPad makes.
		if want, err := KeyWrapPad(aesKey, material); err != nil || !bytes.Equal(kwpPart, want) {
			t.Fatalf("openssl KWP part differs from KeyWrapPad: %x vs %x (%v)", kwpPart, want, err)
		}
		// cat aes-key-wrapped.bin key-material-wrapped.bin > EncryptedKeyMaterial.bin
		return append(readFile(t, dir, "aes-key-wrapped.bin"), kwpPart...)
	}
	t.Fatalf("no openssl sequence for %s", alg)
	return nil
}

type material struct {
	name string
	b    []byte
}

var (
	materialsOnce sync.Once
	materials     []material // for every algorithm
	hybridOnly    []material // too big for RSAES_OAEP_*
)

// testMaterials returns key material of every kind import.md §4 lists:
// a 32-byte symmetric key, HMAC keys of 28/32/48/64 bytes, a P-256 PKCS#8
// key, and (hybrid only) a P-521 and an RSA-2048 PKCS#8 key of about 1.2 KB.
func testMaterials(t testing.TB) (all, hybrid []material) {
	t.Helper()
	materialsOnce.Do(func() {
		p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		if err != nil {
			panic(err)
		}
		der := func(k any) []byte {
			b, err := x509.MarshalPKCS8PrivateKey(k)
			if err != nil {
				panic(err)
			}
			return b
		}
		rnd := func(n int) []byte {
			b := make([]byte, n)
			rand.Read(b)
			return b
		}
		materials = []material{
			{"SYMMETRIC_DEFAULT-32B", rnd(32)},
			{"HMAC_224-28B", rnd(28)},
			{"HMAC_384-48B", rnd(48)},
			{"HMAC_512-64B", rnd(64)},
			{"ECC_NIST_P256-PKCS8", der(p256)},
		}
		hybridOnly = []material{
			{"ECC_NIST_P521-PKCS8", der(p521)},
			{"RSA_2048-PKCS8", der(testKey(t, "other_rsa2048"))},
		}
	})
	return materials, hybridOnly
}

// TestUnwrap wraps every kind of material for every algorithm and wrapping
// key size, with Go's crypto and with the openssl commands AWS documents,
// and checks that Unwrap returns exactly the material.
func TestUnwrap(t *testing.T) {
	all, hybrid := testMaterials(t)
	if n := len(hybrid[1].b); n < 1100 || n > 1300 {
		t.Fatalf("RSA-2048 PKCS#8 material is %d bytes, want about 1.2 KB", n)
	}
	for _, bits := range []int{2048, 3072, 4096} {
		priv := wrappingKey(t, bits)
		t.Run(fmt.Sprintf("RSA_%d", bits), func(t *testing.T) {
			t.Parallel()
			for _, alg := range oaepAlgs {
				ms := all
				if isHybrid(alg) {
					ms = append(append([]material(nil), all...), hybrid...)
				}
				for _, m := range ms {
					t.Run(alg+"/"+m.name+"/go", func(t *testing.T) {
						got, err := Unwrap(priv, alg, wrapGo(t, &priv.PublicKey, alg, m.b, 32), 0)
						if err != nil || !bytes.Equal(got, m.b) {
							t.Fatalf("Unwrap = %x, %v; want %x", got, err, m.b)
						}
					})
					t.Run(alg+"/"+m.name+"/openssl", func(t *testing.T) {
						bin := requireOpenSSL(t)
						wrapped := wrapOpenSSL(t, bin, &priv.PublicKey, alg, m.b)
						if isHybrid(alg) {
							if want := priv.Size() + 8*((len(m.b)+7)/8) + 8; len(wrapped) != want {
								t.Errorf("openssl output is %d bytes, want %d", len(wrapped), want)
							}
						}
						got, err := Unwrap(priv, alg, wrapped, 0)
						if err != nil || !bytes.Equal(got, m.b) {
							t.Fatalf("Unwrap = %x, %v; want %x", got, err, m.b)
						}
					})
				}
			}
		})
	}
}

// TestUnwrapHybridEphemeralKeySizes: CKM_RSA_AES_KEY_WRAP allows 128-, 192-
// and 256-bit ephemeral keys and Trent accepts all three; anything else in
// the RSA part is refused.
func TestUnwrapHybridEphemeralKeySizes(t *testing.T) {
	priv := wrappingKey(t, 2048)
	m := randBytes(t, 32)
	for _, alg := range []string{RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256} {
		for _, n := range []int{16, 24, 32} {
			t.Run(fmt.Sprintf("%s/kek-%d", alg, n), func(t *testing.T) {
				got, err := Unwrap(priv, alg, wrapGo(t, &priv.PublicKey, alg, m, n), 0)
				if err != nil || !bytes.Equal(got, m) {
					t.Fatalf("Unwrap = %x, %v", got, err)
				}
			})
		}
		// An RSA part carrying a key of a size AES does not have (or
		// nothing), followed by a KWP part made with the first 16 bytes.
		for _, n := range []int{0, 1, 8, 15, 17, 20, 31, 33, 64} {
			t.Run(fmt.Sprintf("%s/kek-%d-refused", alg, n), func(t *testing.T) {
				kek := randBytes(t, n)
				rsaPart, err := rsa.EncryptOAEP(oaepHash(t, alg), rand.Reader, &priv.PublicKey, kek, nil)
				if err != nil {
					t.Fatal(err)
				}
				kwpPart, err := KeyWrapPad(randBytes(t, 16), m)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Unwrap(priv, alg, append(rsaPart, kwpPart...), 0)
				mustBeOnly(t, got, err, ErrUnwrap)
			})
		}
	}
}

// TestUnwrapPKCS1v15: the legacy algorithm with its fixed expected length.
func TestUnwrapPKCS1v15(t *testing.T) {
	for _, bits := range []int{2048, 3072, 4096} {
		priv := wrappingKey(t, bits)
		m := randBytes(t, 32)
		//lint:ignore SA1019 the legacy PKCS #1 v1.5 wrapping that Unwrap admits when a server enables it.
		wrapped, err := rsa.EncryptPKCS1v15(rand.Reader, &priv.PublicKey, m)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprintf("RSA_%d/ok", bits), func(t *testing.T) {
			got, err := Unwrap(priv, RSAESPKCS1v15, wrapped, 32)
			if err != nil || !bytes.Equal(got, m) {
				t.Fatalf("Unwrap = %x, %v; want %x", got, err, m)
			}
		})
		refusals := []struct {
			name     string
			priv     *rsa.PrivateKey
			wrapped  []byte
			pkcs1Len int
		}{
			{"expected-16", priv, wrapped, 16},
			{"expected-31", priv, wrapped, 31},
			{"expected-33", priv, wrapped, 33},
			{"expected-0", priv, wrapped, 0},
			{"expected-negative", priv, wrapped, -1},
			{"expected-larger-than-modulus", priv, wrapped, priv.Size()},
			{"first-byte-flipped", priv, flipByte(wrapped, 0), 32},
			{"middle-byte-flipped", priv, flipByte(wrapped, len(wrapped)/2), 32},
			{"last-byte-flipped", priv, flipByte(wrapped, len(wrapped)-1), 32},
			{"truncated", priv, wrapped[:len(wrapped)-1], 32},
			{"extended", priv, append(bytes.Clone(wrapped), 0), 32},
			{"empty", priv, nil, 32},
			{"wrong-private-key", testKey(t, "other_rsa2048"), wrapped, 32},
		}
		for _, tc := range refusals {
			t.Run(fmt.Sprintf("RSA_%d/%s", bits, tc.name), func(t *testing.T) {
				got, err := Unwrap(tc.priv, RSAESPKCS1v15, tc.wrapped, tc.pkcs1Len)
				mustBeOnly(t, got, err, ErrUnwrap)
			})
		}
	}
	// An OAEP blob is not a PKCS#1 v1.5 one.
	t.Run("oaep-blob", func(t *testing.T) {
		priv := wrappingKey(t, 2048)
		got, err := Unwrap(priv, RSAESPKCS1v15, wrapGo(t, &priv.PublicKey, RSAESOAEPSHA1, randBytes(t, 32), 32), 32)
		mustBeOnly(t, got, err, ErrUnwrap)
	})
}

// TestUnwrapRefusals: every wrong input yields ErrUnwrap and nothing else.
func TestUnwrapRefusals(t *testing.T) {
	priv := wrappingKey(t, 2048)
	other := testKey(t, "other_rsa2048")
	k := priv.Size()
	m := randBytes(t, 32)
	wrapped := map[string][]byte{}
	for _, alg := range oaepAlgs {
		wrapped[alg] = wrapGo(t, &priv.PublicKey, alg, m, 32)
	}

	type refusal struct {
		name    string
		priv    *rsa.PrivateKey
		alg     string
		wrapped []byte
	}
	var tests []refusal
	add := func(name string, p *rsa.PrivateKey, alg string, w []byte) {
		tests = append(tests, refusal{name, p, alg, w})
	}
	for _, alg := range oaepAlgs {
		w := wrapped[alg]
		add(alg+"/wrong-private-key", other, alg, w)
		add(alg+"/wrong-private-key-of-other-size", wrappingKey(t, 3072), alg, w)
		add(alg+"/empty", priv, alg, nil)
		add(alg+"/empty-non-nil", priv, alg, []byte{})
		add(alg+"/truncated-by-1", priv, alg, w[:len(w)-1])
		add(alg+"/extended-by-1", priv, alg, append(bytes.Clone(w), 0))
		add(alg+"/extended-by-8", priv, alg, append(bytes.Clone(w), make([]byte, 8)...))
		add(alg+"/all-zero", priv, alg, make([]byte, len(w)))
		add(alg+"/all-ff", priv, alg, bytes.Repeat([]byte{0xFF}, len(w)))
		// Flipped bytes in the RSA part: every byte for one algorithm, a
		// spread of positions (first, last, and every 17th) for the others
		// to keep -race fast.
		for i := 0; i < k; i++ {
			if alg == RSAAESKeyWrapSHA256 || i%17 == 0 || i == k-1 {
				add(fmt.Sprintf("%s/rsa-part-byte-%d-flipped", alg, i), priv, alg, flipByte(w, i))
			}
		}
		if isHybrid(alg) {
			for i := k; i < len(w); i++ {
				add(fmt.Sprintf("%s/kwp-part-byte-%d-flipped", alg, i-k), priv, alg, flipByte(w, i))
			}
			add(alg+"/rsa-part-only", priv, alg, w[:k])
			add(alg+"/kwp-part-of-8", priv, alg, w[:k+8])
			add(alg+"/kwp-part-of-15", priv, alg, w[:k+15])
			add(alg+"/kwp-part-of-16", priv, alg, w[:k+16])
			add(alg+"/kwp-part-not-multiple-of-8", priv, alg, w[:len(w)-3])
			add(alg+"/kwp-part-only", priv, alg, w[k:])
			add(alg+"/kwp-part-too-long", priv, alg, append(bytes.Clone(w), make([]byte, maxMaterial+16)...))
			add(alg+"/kwp-part-replaced", priv, alg, append(bytes.Clone(w[:k]), wrapped[otherHybrid(alg)][k:]...))
		}
	}
	// Right key, wrong algorithm.
	for _, c := range [][2]string{
		{RSAESOAEPSHA1, RSAESOAEPSHA256},
		{RSAESOAEPSHA256, RSAESOAEPSHA1},
		{RSAAESKeyWrapSHA1, RSAAESKeyWrapSHA256},
		{RSAAESKeyWrapSHA256, RSAAESKeyWrapSHA1},
		{RSAESOAEPSHA1, RSAAESKeyWrapSHA1},
		{RSAESOAEPSHA256, RSAAESKeyWrapSHA256},
		{RSAAESKeyWrapSHA1, RSAESOAEPSHA1},
		{RSAAESKeyWrapSHA256, RSAESOAEPSHA256},
		{RSAESOAEPSHA256, RSAESPKCS1v15},
		{RSAAESKeyWrapSHA256, RSAESPKCS1v15},
	} {
		add(fmt.Sprintf("%s-blob-as-%s", c[0], c[1]), priv, c[1], wrapped[c[0]])
	}
	for _, alg := range []string{"", SM2PKE, "RSAES_OAEP_SHA_512", "rsaes_oaep_sha_256", "RSA_AES_KEY_WRAP_SHA_384"} {
		add(fmt.Sprintf("unknown-algorithm-%q", alg), priv, alg, wrapped[RSAESOAEPSHA256])
	}
	// Material that is empty: OAEP of zero bytes.
	for _, alg := range []string{RSAESOAEPSHA1, RSAESOAEPSHA256} {
		empty, err := rsa.EncryptOAEP(oaepHash(t, alg), rand.Reader, &priv.PublicKey, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		add(alg+"/empty-material", priv, alg, empty)
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Unwrap(tc.priv, tc.alg, tc.wrapped, 32)
			mustBeOnly(t, got, err, ErrUnwrap)
		})
	}
}

func otherHybrid(alg string) string {
	if alg == RSAAESKeyWrapSHA1 {
		return RSAAESKeyWrapSHA256
	}
	return RSAAESKeyWrapSHA1
}

// TestUnwrapMaterialSizeLimit: maxMaterial bounds the unwrapped material.
// The largest import (an RSA-4096 PKCS#8 key, about 2.4 KB) and material of
// exactly maxMaterial bytes unwrap; one byte more must be refused.
func TestUnwrapMaterialSizeLimit(t *testing.T) {
	priv := wrappingKey(t, 4096)
	for _, tc := range []struct {
		n  int
		ok bool
	}{{2375, true}, {maxMaterial - 8, true}, {maxMaterial, true}, {maxMaterial + 1, false}, {maxMaterial + 8, false}, {maxMaterial + 9, false}} {
		t.Run(fmt.Sprintf("%d-bytes", tc.n), func(t *testing.T) {
			m := randBytes(t, tc.n)
			got, err := Unwrap(priv, RSAAESKeyWrapSHA256, wrapGo(t, &priv.PublicKey, RSAAESKeyWrapSHA256, m, 32), 0)
			if tc.ok {
				if err != nil || !bytes.Equal(got, m) {
					t.Fatalf("Unwrap of %d bytes: %v", tc.n, err)
				}
				return
			}
			if err == nil && tc.n <= maxMaterial+8 {
				regression(t, "Unwrap accepts %d bytes of material, more than maxMaterial (%d): unwrapHybrid bounds the KWP part by maxMaterial+16 bytes, but a KWP part of maxMaterial+16 bytes holds up to maxMaterial+8 bytes of material; the bound should be len(wrapped)-k > maxMaterial+8", tc.n, maxMaterial)
			}
			mustBeOnly(t, got, err, ErrUnwrap)
		})
	}
}
