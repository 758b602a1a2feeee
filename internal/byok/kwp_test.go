package byok

import (
	"bytes"
	"crypto/aes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

type kwpVector struct {
	Name    string `json:"name"`
	KEK     string `json:"kek"`
	Key     string `json:"key"`
	Wrapped string `json:"wrapped"`
}

func loadKWPVectors(t testing.TB) []kwpVector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "rfc5649.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Source  string      `json:"source"`
		Vectors []kwpVector `json:"vectors"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) != 2 {
		t.Fatalf("testdata/rfc5649.json has %d vectors, want RFC 5649 §6's two", len(f.Vectors))
	}
	return f.Vectors
}

// TestKWPVectors checks RFC 5649 §6's two examples in both directions.
func TestKWPVectors(t *testing.T) {
	for _, v := range loadKWPVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			kek, key, wrapped := unhex(t, v.KEK), unhex(t, v.Key), unhex(t, v.Wrapped)
			got, err := KeyWrapPad(kek, key)
			if err != nil {
				t.Fatalf("KeyWrapPad: %v", err)
			}
			if !bytes.Equal(got, wrapped) {
				t.Errorf("KeyWrapPad = %x, want %x", got, wrapped)
			}
			back, err := KeyUnwrapPad(kek, wrapped)
			if err != nil {
				t.Fatalf("KeyUnwrapPad: %v", err)
			}
			if !bytes.Equal(back, key) {
				t.Errorf("KeyUnwrapPad = %x, want %x", back, key)
			}
		})
	}
}

// TestKWPOpenSSL compares KeyWrapPad byte for byte with OpenSSL's
// id-aes{128,192,256}-wrap-pad for every length from 1 to 70, and checks
// that KeyUnwrapPad inverts OpenSSL's output.
func TestKWPOpenSSL(t *testing.T) {
	bin := requireOpenSSL(t)
	for _, kekLen := range []int{16, 24, 32} {
		t.Run(fmt.Sprintf("aes%d", kekLen*8), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for n := 1; n <= 70; n++ {
				kek, pt := randBytes(t, kekLen), randBytes(t, n)
				writeFile(t, dir, "pt", pt)
				runOpenSSL(t, bin, dir, "enc", fmt.Sprintf("-id-aes%d-wrap-pad", kekLen*8),
					"-K", hex.EncodeToString(kek), "-iv", "A65959A6", "-in", "pt", "-out", "ct")
				want := readFile(t, dir, "ct")
				got, err := KeyWrapPad(kek, pt)
				if err != nil {
					t.Fatalf("len %d: KeyWrapPad: %v", n, err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("len %d: KeyWrapPad = %x, openssl = %x (kek %x, pt %x)", n, got, want, kek, pt)
				}
				back, err := KeyUnwrapPad(kek, want)
				if err != nil || !bytes.Equal(back, pt) {
					t.Fatalf("len %d: KeyUnwrapPad(openssl output) = %x, %v; want %x", n, back, err, pt)
				}
			}
		})
	}
}

// TestKWPRoundTrip covers lengths around the one-block boundary and the
// sizes Trent imports, including the largest (maxMaterial).
func TestKWPRoundTrip(t *testing.T) {
	lengths := []int{1, 7, 8, 9, 15, 16, 17, 24, 28, 32, 48, 64, 1217, 2375, maxMaterial}
	for _, kekLen := range []int{16, 24, 32} {
		for _, n := range lengths {
			t.Run(fmt.Sprintf("kek%d/len%d", kekLen, n), func(t *testing.T) {
				kek, pt := randBytes(t, kekLen), randBytes(t, n)
				ct, err := KeyWrapPad(kek, pt)
				if err != nil {
					t.Fatal(err)
				}
				if want := 8*((n+7)/8) + 8; len(ct) != want {
					t.Errorf("len(wrapped) = %d, want %d", len(ct), want)
				}
				back, err := KeyUnwrapPad(kek, ct)
				if err != nil || !bytes.Equal(back, pt) {
					t.Fatalf("KeyUnwrapPad = %x, %v; want %x", back, err, pt)
				}
			})
		}
	}
}

func TestKeyWrapPadRejects(t *testing.T) {
	tests := []struct {
		name    string
		kek, pt []byte
	}{
		{"empty plaintext", make([]byte, 32), nil},
		{"zero-length plaintext", make([]byte, 32), []byte{}},
		{"kek of 0 bytes", nil, []byte{1}},
		{"kek of 15 bytes", make([]byte, 15), []byte{1}},
		{"kek of 20 bytes", make([]byte, 20), []byte{1}},
		{"kek of 33 bytes", make([]byte, 33), []byte{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := KeyWrapPad(tc.kek, tc.pt); err == nil {
				t.Fatalf("KeyWrapPad = %x, want an error", got)
			}
		})
	}
}

// rawKWP builds a KWP-shaped ciphertext from an arbitrary first semiblock
// (the AIV) and arbitrary padded data, with RFC 5649's own steps but none
// of KeyWrapPad's checks: one AES block if there is one data semiblock,
// else RFC 3394's W. Tests use it to make ciphertexts that decrypt to a bad
// ICV, MLI or padding.
func rawKWP(t testing.TB, kek []byte, aiv [8]byte, padded []byte) []byte {
	t.Helper()
	if len(padded) == 0 || len(padded)%8 != 0 {
		t.Fatalf("rawKWP: %d bytes of data", len(padded))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		t.Fatal(err)
	}
	a := append(aiv[:], padded...)
	n := len(padded) / 8
	if n == 1 {
		block.Encrypt(a, a)
	} else {
		wrap(block, a, n)
	}
	return a
}

func kwpAIV(icv [4]byte, mli uint32) [8]byte {
	var a [8]byte
	copy(a[:4], icv[:])
	binary.BigEndian.PutUint32(a[4:], mli)
	return a
}

// TestRawKWPMatchesKeyWrapPad checks the helper itself: with the real AIV
// and zero padding it must produce exactly KeyWrapPad's output.
func TestRawKWPMatchesKeyWrapPad(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 20, 33} {
		kek, pt := randBytes(t, 24), randBytes(t, n)
		padded := make([]byte, 8*((n+7)/8))
		copy(padded, pt)
		got := rawKWP(t, kek, kwpAIV(kwpICV, uint32(n)), padded)
		want, err := KeyWrapPad(kek, pt)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("len %d: rawKWP = %x, KeyWrapPad = %x, %v", n, got, want, err)
		}
	}
}

// TestKeyUnwrapPadRefusals: every malformed or tampered input gives
// errKWP and nothing else.
func TestKeyUnwrapPadRefusals(t *testing.T) {
	vectors := loadKWPVectors(t)
	kek := unhex(t, vectors[0].KEK)
	multi := unhex(t, vectors[0].Wrapped)  // 20 octets: 3 data semiblocks
	single := unhex(t, vectors[1].Wrapped) // 7 octets: 1 AES block

	type refusal struct {
		name string
		kek  []byte
		ct   []byte
	}
	var tests []refusal
	add := func(name string, k, ct []byte) { tests = append(tests, refusal{name, k, ct}) }

	for _, c := range []struct {
		name string
		ct   []byte
	}{{"single", single}, {"multi", multi}} {
		for i := 0; i < 8*len(c.ct); i++ {
			add(fmt.Sprintf("%s/flip-bit-%d", c.name, i), kek, flipBit(c.ct, i))
		}
		for n := 0; n < len(c.ct); n++ {
			add(fmt.Sprintf("%s/truncated-to-%d", c.name, n), kek, c.ct[:n])
		}
		add(c.name+"/extended-by-8-zero-bytes", kek, append(bytes.Clone(c.ct), make([]byte, 8)...))
		add(c.name+"/extended-by-8-random-bytes", kek, append(bytes.Clone(c.ct), randBytes(t, 8)...))
		add(c.name+"/extended-by-1-byte", kek, append(bytes.Clone(c.ct), 0))
		add(c.name+"/wrong-kek-same-size", randBytes(t, len(kek)), c.ct)
		add(c.name+"/wrong-kek-128", randBytes(t, 16), c.ct)
		add(c.name+"/wrong-kek-256", randBytes(t, 32), c.ct)
		add(c.name+"/kek-of-20-bytes", kek[:20], c.ct)
		add(c.name+"/kek-empty", nil, c.ct)
		add(c.name+"/semiblocks-swapped", kek, append(bytes.Clone(c.ct[8:]), c.ct[:8]...))
	}
	for _, n := range []int{17, 23, 25, 31, 33, 41} {
		add(fmt.Sprintf("length-%d-not-multiple-of-8", n), kek, randBytes(t, n))
	}
	for _, n := range []int{0, 1, 8, 15} {
		add(fmt.Sprintf("length-%d-below-16", n), kek, randBytes(t, n))
	}
	add("nil", kek, nil)

	// Well-formed RFC 3394 wraps whose unwrapped AIV is wrong.
	rnd := func(n int) []byte { return randBytes(t, n) }
	for _, n := range []int{1, 2, 3, 5} { // data semiblocks
		data := rnd(8 * n)
		lo, hi := 8*(n-1)+1, 8*n
		seen := map[uint32]bool{}
		for _, mli := range []uint32{0, uint32(lo - 1), uint32(hi + 1), uint32(hi + 8), 1 << 30, 1<<31 - 1, 1 << 31, 0xFFFFFFFF} {
			if seen[mli] {
				continue
			}
			seen[mli] = true
			add(fmt.Sprintf("%d-semiblocks/mli-%d", n, mli), kek, rawKWP(t, kek, kwpAIV(kwpICV, mli), data))
		}
		// MLI right, ICV wrong: the RFC 3394 default IV and near misses.
		for _, icv := range [][4]byte{{0xA6, 0xA6, 0xA6, 0xA6}, {0xA6, 0x59, 0x59, 0xA7}, {0x26, 0x59, 0x59, 0xA6}, {}} {
			add(fmt.Sprintf("%d-semiblocks/icv-%x", n, icv), kek, rawKWP(t, kek, kwpAIV(icv, uint32(hi)), data))
		}
	}
	// RFC 3394 (unpadded) wrap of 16 bytes, default IV A6A6A6A6A6A6A6A6.
	add("rfc3394-default-iv", kek, rawKWP(t, kek, [8]byte{0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6}, rnd(16)))

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := KeyUnwrapPad(tc.kek, tc.ct)
			mustBeOnly(t, got, err, errKWP)
		})
	}
}

// TestKeyUnwrapPadNonZeroPadding: RFC 5649 §3 requires the padding octets
// to be zero; a ciphertext whose padding is not must be refused. Each
// padding byte is set in turn to values with and without bit 0, for one and
// several semiblocks and every MLI whose padding is non-empty. The
// ciphertexts are built with the raw wrapping process (rawKWP), since
// KeyWrapPad cannot make them.
func TestKeyUnwrapPadNonZeroPadding(t *testing.T) {
	kek := randBytes(t, 24)
	for _, mli := range []int{1, 3, 7, 9, 15, 17, 20, 23} {
		n := (mli + 7) / 8
		data := make([]byte, 8*n)
		copy(data, randBytes(t, mli))
		// Control: the same construction with zero padding unwraps.
		if got, err := KeyUnwrapPad(kek, rawKWP(t, kek, kwpAIV(kwpICV, uint32(mli)), data)); err != nil || !bytes.Equal(got, data[:mli]) {
			t.Fatalf("mli %d with zero padding: KeyUnwrapPad = %x, %v; want %x", mli, got, err, data[:mli])
		}
		for j := mli; j < 8*n; j++ {
			for _, v := range []byte{0x01, 0x02, 0x40, 0x80, 0xFE, 0xFF} {
				t.Run(fmt.Sprintf("mli-%d/pad-byte-%d=%02x", mli, j, v), func(t *testing.T) {
					bad := bytes.Clone(data)
					bad[j] = v
					got, err := KeyUnwrapPad(kek, rawKWP(t, kek, kwpAIV(kwpICV, uint32(mli)), bad))
					if err == nil && v&1 == 0 {
						regression(t, "KeyUnwrapPad accepts padding byte %#02x (kwp.go: `pad |= byte(inPad) & a[i]` masks with 0x01, so only bit 0 of each padding byte is checked; the mask must be 0xFF, e.g. byte(-inPad))", v)
					}
					mustBeOnly(t, got, err, errKWP)
				})
			}
		}
	}
}

// TestKeyUnwrapPadDoesNotAlias: the output is a fresh slice and the
// ciphertext is left as it was.
func TestKeyUnwrapPadDoesNotAlias(t *testing.T) {
	kek, pt := randBytes(t, 32), randBytes(t, 40)
	ct, err := KeyWrapPad(kek, pt)
	if err != nil {
		t.Fatal(err)
	}
	orig := bytes.Clone(ct)
	got, err := KeyUnwrapPad(kek, ct)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ct, orig) {
		t.Error("KeyUnwrapPad modified its input")
	}
	got[0] ^= 1
	if !bytes.Equal(ct, orig) {
		t.Error("KeyUnwrapPad's output aliases its input")
	}
}
