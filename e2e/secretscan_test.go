package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secretScanner finds secrets, in every form a careless log line or
// column could hold them, in files. Needles are indexed by their first
// minSecretLen bytes so that one pass over a file checks every secret.
type secretScanner struct {
	byPrefix map[uint64][]needle
}

type needle struct {
	label string // whose secret
	form  string // raw, hex, HEX, base64, base64url
	b     []byte
}

// leak is one secret found. Its text names the file, offset and form,
// never the secret.
type leak struct {
	path   string
	offset int
	form   string
	label  string
}

func (l leak) String() string {
	return fmt.Sprintf("%s at offset %d: a secret used by %s, %s form", l.path, l.offset, l.label, l.form)
}

// secretForms returns the encodings searched for: raw, hex in both cases,
// and standard and URL base64 without padding (so padded text matches).
func secretForms(s []byte) map[string][]byte {
	return map[string][]byte{
		"raw":       s,
		"hex":       []byte(hex.EncodeToString(s)),
		"HEX":       []byte(strings.ToUpper(hex.EncodeToString(s))),
		"base64":    []byte(base64.RawStdEncoding.EncodeToString(s)),
		"base64url": []byte(base64.RawURLEncoding.EncodeToString(s)),
	}
}

func newSecretScanner(secrets []rememberedSecret) *secretScanner {
	s := &secretScanner{byPrefix: map[uint64][]needle{}}
	seen := map[string]bool{}
	for _, sec := range secrets {
		for form, b := range secretForms(sec.secret) {
			if len(b) < minSecretLen || seen[string(b)] {
				continue // remembered twice, or hex of digits in both cases
			}
			seen[string(b)] = true
			k := prefixKey(b)
			s.byPrefix[k] = append(s.byPrefix[k], needle{label: sec.label, form: form, b: b})
		}
	}
	return s
}

// prefixKey packs the first minSecretLen bytes of b into a map key.
func prefixKey(b []byte) uint64 {
	var k [8]byte
	copy(k[:], b[:minSecretLen])
	return binary.LittleEndian.Uint64(k[:])
}

// scan returns where the needles occur in data (the first occurrence of
// each needle per file).
func (s *secretScanner) scan(path string, data []byte) []leak {
	var out []leak
	found := map[*byte]bool{}
	for i := 0; i+minSecretLen <= len(data); i++ {
		for _, n := range s.byPrefix[prefixKey(data[i:])] {
			if !found[&n.b[0]] && bytes.HasPrefix(data[i:], n.b) {
				found[&n.b[0]] = true
				out = append(out, leak{path: path, offset: i, form: n.form, label: n.label})
			}
		}
	}
	return out
}

// scanTree scans every regular file under root.
func scanTree(root string, s *secretScanner) ([]leak, error) {
	var out []leak
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, s.scan(path, data)...)
		return nil
	})
	return out, err
}

// TestSecretScanner plants a secret in each form in a file among clean
// ones and checks that the scan finds it at its offset and says so without
// the secret.
func TestSecretScanner(t *testing.T) {
	secret := []byte("\xfftop-secret-plaintext\x00\x01")
	other := []byte("another secret of the run")
	scanner := newSecretScanner([]rememberedSecret{{"TestA", secret}, {"TestB", other}})
	filler := bytes.Repeat([]byte("harmless log line 0123456789abcdef ABCDEF+/=\n"), 20)
	for form, enc := range secretForms(secret) {
		t.Run(form, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "clean.log"), filler, 0o600)
			planted := append(append(append([]byte{}, filler...), enc...), filler...)
			os.MkdirAll(filepath.Join(dir, "data"), 0o700)
			path := filepath.Join(dir, "data", "audit.log")
			os.WriteFile(path, planted, 0o600)
			leaks, err := scanTree(dir, scanner)
			if err != nil {
				t.Fatal(err)
			}
			if len(leaks) != 1 || leaks[0].path != path || leaks[0].offset != len(filler) || leaks[0].form != form || leaks[0].label != "TestA" {
				t.Fatalf("leaks = %v; want one, %s form, in %s at offset %d", leaks, form, path, len(filler))
			}
			msg := leaks[0].String()
			for f, e := range secretForms(secret) {
				if strings.Contains(msg, string(e)) {
					t.Errorf("the report %q shows the secret (%s form)", msg, f)
				}
			}
		})
	}
	t.Run("padded base64", func(t *testing.T) {
		data := []byte(`{"Plaintext":"` + base64.StdEncoding.EncodeToString(secret) + `"}`)
		if leaks := scanner.scan("x", data); len(leaks) != 1 || leaks[0].offset != len(`{"Plaintext":"`) {
			t.Fatalf("leaks = %v", leaks)
		}
	})
	t.Run("clean", func(t *testing.T) {
		if leaks := scanner.scan("x", filler); len(leaks) != 0 {
			t.Fatalf("leaks in clean data: %v", leaks)
		}
	})
}
