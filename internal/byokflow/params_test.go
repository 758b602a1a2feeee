package byokflow

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// testParams are import parameters with an RSA-2048 wrapping key.
func testParams(t *testing.T) *Params {
	t.Helper()
	priv, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	v := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	return &Params{KeyARN: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		Algorithm: "RSAES_OAEP_SHA_256", Spec: "RSA_2048", PublicKey: spki, Token: []byte("\x01\x02opaque token"), ValidTo: &v}
}

// zipOf makes a zip of name → content.
func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for n, c := range files {
		w, _ := z.Create(n)
		_, _ = w.Write([]byte(c))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParamsZip(t *testing.T) {
	p := testParams(t)
	var b bytes.Buffer
	if err := WriteParamsZip(&b, p); err != nil {
		t.Fatal(err)
	}
	// The console's entry names.
	z, _ := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "WrappingPublicKey.bin,ImportToken.bin,README.txt" {
		t.Errorf("entries %v", names)
	}
	keyID := "1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, c := range []struct {
		name                string
		zip                 []byte
		keyARN, alg, spec   string
		validTo             bool
		wantToken, wantFail string
	}{
		{name: "trent's own", zip: b.Bytes(), keyARN: p.KeyARN, alg: "RSAES_OAEP_SHA_256", spec: "RSA_2048", validTo: true},
		{name: "the console's today", zip: zipOf(t, map[string]string{"WrappingPublicKey.bin": string(p.PublicKey), "ImportToken.bin": string(p.Token),
			"README.txt": "This is the wrapping key for RSAES_OAEP_SHA_1 with a 2048-bit RSA key.\n"}), alg: "RSAES_OAEP_SHA_1"},
		{name: "the console's 2023 names, in a folder", zip: zipOf(t, map[string]string{"ImportParameters/wrappingKey_" + keyID + "_0809092909": string(p.PublicKey),
			"ImportParameters/importToken_" + keyID + "_0809092909": base64.StdEncoding.EncodeToString(p.Token) + "\n",
			"ImportParameters/README_" + keyID + "_0809092909.txt":  "Use RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1."}), keyARN: keyID},
		{name: "no token", zip: zipOf(t, map[string]string{"WrappingPublicKey.bin": string(p.PublicKey)}), wantFail: "holds no WrappingPublicKey.bin and ImportToken.bin"},
		{name: "not a key", zip: zipOf(t, map[string]string{"WrappingPublicKey.bin": "junk", "ImportToken.bin": "t"}), wantFail: "the wrapping public key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ImportParameters.zip")
			if err := os.WriteFile(path, c.zip, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadParams(path)
			if c.wantFail != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantFail) {
					t.Fatalf("err %v, want %q", err, c.wantFail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.KeyARN != c.keyARN || got.Algorithm != c.alg || got.Spec != c.spec || !bytes.Equal(got.Token, p.Token) ||
				!bytes.Equal(got.PublicKey, p.PublicKey) || (got.ValidTo != nil) != c.validTo || (c.validTo && !got.ValidTo.Equal(*p.ValidTo)) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

// TestParamsCheck: a wrapping algorithm that does not match the one the
// parameters were requested with is refused before the wrap (KMS would
// refuse the material only at upload, with InvalidCiphertextException).
func TestParamsCheck(t *testing.T) {
	for _, c := range []struct {
		name, recorded, recordedSpec, asked string
		want, wantErr                       string
		usage                               bool
	}{
		{name: "recorded, not asked", recorded: "RSAES_OAEP_SHA_256", want: "RSAES_OAEP_SHA_256"},
		{name: "recorded and asked alike", recorded: "RSAES_OAEP_SHA_1", asked: "RSAES_OAEP_SHA_1", want: "RSAES_OAEP_SHA_1"},
		{name: "asked, not recorded", asked: "RSAES_OAEP_SHA_1", want: "RSAES_OAEP_SHA_1"},
		{name: "mismatch", recorded: "RSAES_OAEP_SHA_256", asked: "RSAES_OAEP_SHA_1",
			wantErr: "--algorithm RSAES_OAEP_SHA_1, but these parameters were requested for RSAES_OAEP_SHA_256 (test.zip says so): KMS would refuse the wrapped key with InvalidCiphertextException"},
		{name: "neither", wantErr: "give --algorithm: the --wrapping-algorithm the parameters were requested with (test.zip does not say)", usage: true},
		{name: "unknown", asked: "AES_256", wantErr: `--algorithm "AES_256": use one of`, usage: true},
		{name: "spec differs from the key", recorded: "RSAES_OAEP_SHA_256", recordedSpec: "RSA_4096",
			wantErr: "test.zip records wrapping key spec RSA_4096, but its public key is RSA_2048"},
		{name: "not for AES keys", asked: "RSA_AES_KEY_WRAP_SHA_256",
			wantErr: "RSA_AES_KEY_WRAP_SHA_256 with an RSA_2048 wrapping key: Wrapping algorithm RSA_AES_KEY_WRAP_SHA_256 is not valid for key material of key spec SYMMETRIC_DEFAULT."},
		{name: "legacy PKCS#1 for Trent servers", asked: "RSAES_PKCS1_V1_5", want: "RSAES_PKCS1_V1_5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := testParams(t)
			p.Algorithm, p.Spec, p.Source = c.recorded, c.recordedSpec, "test.zip"
			err := p.Check(c.asked)
			if c.wantErr != "" {
				var u UsageError
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || errors.As(err, &u) != c.usage {
					t.Fatalf("err %v (usage %v), want %q", err, errors.As(err, &u), c.wantErr)
				}
				return
			}
			if err != nil || p.Algorithm != c.want || p.Spec != "RSA_2048" {
				t.Errorf("%v; algorithm %s spec %s", err, p.Algorithm, p.Spec)
			}
		})
	}
}

func TestParamsJSONAndConsoleFiles(t *testing.T) {
	p := testParams(t)
	dir := t.TempDir()
	for _, validTo := range []string{`1795863133.25`, `"2026-11-28T10:52:13.250000+00:00"`, `"1795863133.25"`} {
		t.Run(validTo, func(t *testing.T) {
			path := filepath.Join(dir, "params.json")
			text := `{"KeyId":"arn:k","ImportToken":"` + base64.StdEncoding.EncodeToString(p.Token) +
				`","PublicKey":"` + base64.StdEncoding.EncodeToString(p.PublicKey) + `","ParametersValidTo":` + validTo + `}`
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadParams(path)
			want := time.Date(2026, 11, 28, 10, 52, 13, 250e6, time.UTC)
			if err != nil || got.KeyARN != "arn:k" || !bytes.Equal(got.Token, p.Token) || got.Algorithm != "" || !got.ValidTo.Equal(want) {
				t.Errorf("%+v %v", got, err)
			}
		})
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"KeyId":"k","ImportToken":"!!"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadParams(filepath.Join(dir, "bad.json")); err == nil || !strings.Contains(err.Error(), "ImportToken is missing or not base64") {
		t.Errorf("bad params: %v", err)
	}
	keyID := "1234abcd-12ab-34cd-56ef-1234567890ab"
	pub := filepath.Join(dir, "wrappingKey_"+keyID+"_1127105213")
	tok := filepath.Join(dir, "importToken_"+keyID+"_1127105213")
	_ = os.WriteFile(pub, p.PublicKey, 0o600)
	for _, content := range [][]byte{p.Token, []byte(base64.StdEncoding.EncodeToString(p.Token) + "\n")} {
		_ = os.WriteFile(tok, content, 0o600)
		got, err := ReadConsoleFiles(pub, tok, "")
		if err != nil || got.KeyARN != keyID || !bytes.Equal(got.Token, p.Token) || !bytes.Equal(got.PublicKey, p.PublicKey) {
			t.Errorf("console files: %+v %v", got, err)
		}
	}
	renamed := filepath.Join(dir, "wrapping.der")
	_ = os.Rename(pub, renamed)
	if _, err := ReadConsoleFiles(renamed, tok, ""); err == nil || !strings.Contains(err.Error(), "give --key-id") {
		t.Errorf("console files without a key id: %v", err)
	}
}
