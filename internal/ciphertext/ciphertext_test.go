package ciphertext

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

func testKey(t testing.TB) (material []byte, keyID [KeyIDSize]byte, matID [MaterialIDSize]byte) {
	t.Helper()
	material = make([]byte, 32)
	rand.Read(material)
	rand.Read(keyID[:])
	rand.Read(matID[:])
	return
}

func TestRoundTrip(t *testing.T) {
	material, keyID, matID := testKey(t)
	for _, tc := range []struct {
		name      string
		plaintext []byte
		ec        map[string]string
	}{
		{"one byte, no context", []byte{0}, nil},
		{"4096 bytes", bytes.Repeat([]byte{0xab}, 4096), nil},
		{"with context", []byte("secret"), map[string]string{"purpose": "test", "b": "", "": "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blob, err := Seal(rand.Reader, material, keyID, matID, tc.plaintext, tc.ec)
			if err != nil {
				t.Fatal(err)
			}
			if len(blob) != len(tc.plaintext)+Overhead {
				t.Fatalf("blob is %d bytes, want %d", len(blob), len(tc.plaintext)+Overhead)
			}
			h, err := ParseHeader(blob)
			if err != nil || h.KeyID != keyID || h.MaterialID != matID {
				t.Fatalf("header = %+v, %v", h, err)
			}
			got, err := Open(material, blob, tc.ec)
			if err != nil || !bytes.Equal(got, tc.plaintext) {
				t.Fatalf("Open = %x, %v", got, err)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	material, keyID, matID := testKey(t)
	ec := map[string]string{"a": "1"}
	blob, err := Seal(rand.Reader, material, keyID, matID, []byte("hello world"), ec)
	if err != nil {
		t.Fatal(err)
	}
	otherMaterial, _, _ := testKey(t)
	t.Run("every flipped byte", func(t *testing.T) {
		for i := range blob {
			bad := bytes.Clone(blob)
			bad[i] ^= 0x01
			if _, err := Open(material, bad, ec); !errors.Is(err, ErrInvalid) {
				t.Fatalf("byte %d flipped: err = %v", i, err)
			}
		}
	})
	cases := []struct {
		name     string
		material []byte
		blob     []byte
		ec       map[string]string
	}{
		{"wrong material", otherMaterial, blob, ec},
		{"missing context", material, blob, nil},
		{"extra context entry", material, blob, map[string]string{"a": "1", "b": "2"}},
		{"context value changed", material, blob, map[string]string{"a": "2"}},
		{"context key case", material, blob, map[string]string{"A": "1"}},
		{"truncated", material, blob[:len(blob)-1], ec},
		{"header only", material, blob[:HeaderSize], ec},
		{"empty", material, nil, ec},
		{"appended byte", material, append(bytes.Clone(blob), 0), ec},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Open(tc.material, tc.blob, tc.ec); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestContextEncodingIsInjective(t *testing.T) {
	// Pairs that a naive concatenation would confuse.
	pairs := [][2]map[string]string{
		{{"ab": "c"}, {"a": "bc"}},
		{{"a": "b", "c": "d"}, {"a": "bcd"}},
		{{}, {"": ""}},
	}
	for _, p := range pairs {
		if bytes.Equal(EncodeContext(p[0]), EncodeContext(p[1])) {
			t.Errorf("%v and %v encode the same", p[0], p[1])
		}
		if ContextSize(p[0]) != len(EncodeContext(p[0])) {
			t.Errorf("ContextSize(%v) = %d, want %d", p[0], ContextSize(p[0]), len(EncodeContext(p[0])))
		}
	}
}

// vector is one entry of testdata/vectors.json: a blob made by this
// package's version 1 format, pinned so that the format cannot change
// silently and so that other implementations can check themselves.
type vector struct {
	Material   string            `json:"material"`
	KeyID      string            `json:"keyId"`
	MaterialID string            `json:"materialId"`
	Context    map[string]string `json:"context"`
	Plaintext  string            `json:"plaintext"`
	Blob       string            `json:"blob"`
}

func TestVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for i, v := range vs {
		material, _ := hex.DecodeString(v.Material)
		blob, _ := hex.DecodeString(v.Blob)
		want, _ := hex.DecodeString(v.Plaintext)
		got, err := Open(material, blob, v.Context)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("vector %d: Open = %x, %v; want %x", i, got, err, want)
		}
		h, _ := ParseHeader(blob)
		if hex.EncodeToString(h.KeyID[:]) != v.KeyID || hex.EncodeToString(h.MaterialID[:]) != v.MaterialID {
			t.Errorf("vector %d: header does not match", i)
		}
		// Re-sealing with the vector's nonce must give the same bytes.
		again, err := Seal(bytes.NewReader(h.Nonce[:]), material, h.KeyID, h.MaterialID, want, v.Context)
		if err != nil || !bytes.Equal(again, blob) {
			t.Errorf("vector %d: Seal with the same nonce differs", i)
		}
	}
}

func FuzzOpen(f *testing.F) {
	material, keyID, matID := testKey(f)
	blob, _ := Seal(rand.Reader, material, keyID, matID, []byte("seed"), nil)
	f.Add(blob, "k", "v")
	f.Add([]byte{1}, "", "")
	f.Fuzz(func(t *testing.T, b []byte, k, v string) {
		ec := map[string]string{k: v}
		pt, err := Open(material, b, ec)
		if err == nil {
			// Anything that opens must re-seal and open to the same bytes.
			h, _ := ParseHeader(b)
			again, err := Seal(bytes.NewReader(h.Nonce[:]), material, h.KeyID, h.MaterialID, pt, ec)
			if err != nil || !bytes.Equal(again, b) {
				t.Fatalf("opened blob does not re-seal identically")
			}
		} else if !errors.Is(err, ErrInvalid) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func BenchmarkSeal32(b *testing.B) {
	material, keyID, matID := testKey(b)
	pt := make([]byte, 32)
	ec := map[string]string{"app": "bench"}
	for b.Loop() {
		if _, err := Seal(rand.Reader, material, keyID, matID, pt, ec); err != nil {
			b.Fatal(err)
		}
	}
}
