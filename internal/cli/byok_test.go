package cli

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// The flows of trent byok run against a real server and real tokens in
// e2e/byok_test.go; these are the parts that need neither.

func byokMain(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Main(append([]string{"byok"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBYOKUsage(t *testing.T) {
	if code, _, errOut := byokMain(); code != 2 || !strings.Contains(errOut, "Usage: trent byok <subcommand>") {
		t.Errorf("trent byok: %d %q", code, errOut)
	}
	if code, out, _ := byokMain("-h"); code != 0 || !strings.Contains(out, "AWS_ENDPOINT_URL_KMS") {
		t.Errorf("trent byok -h: %d %q", code, out)
	}
	var out, errOut bytes.Buffer
	if Main([]string{"help"}, &out, &errOut); !strings.Contains(out.String(), "byok ") {
		t.Errorf("trent help does not list byok: %q", out.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `unknown subcommand "nope"`},
		{[]string{"import", "--pin", "1234"}, "trent does not take the PIN on the command line"},
		{[]string{"import", "--no-expiry"}, "say which HSM key to import: --hsm-key"},
		{[]string{"import", "--generate", "--hsm-key", "k", "--no-expiry"}, "give --hsm-key or --generate, not both"},
		{[]string{"import", "--hsm-key", "k", "--hsm-label", "x", "--no-expiry"}, "--hsm-label, --hsm-id and --keep-generated go with --generate"},
		{[]string{"import", "--generate"}, "choose the key material's expiration: --no-expiry, --valid-to TIME or --expires-in DURATION"},
		{[]string{"import", "--generate", "--no-expiry", "--expires-in", "30d"}, "(one of them)"},
		{[]string{"import", "--generate", "--expires-in", "366d"}, "more than 365 days ahead, which KMS refuses"},
		{[]string{"import", "--generate", "--valid-to", "2020-01-01"}, "the expiry 2020-01-01T00:00:00Z is not in the future"},
		{[]string{"import", "--generate", "--valid-to", "tomorrow"}, `--valid-to "tomorrow": not an RFC 3339 time`},
		{[]string{"import", "--generate", "--no-expiry", "--wrapping-key-spec", "RSA_1024"}, `--wrapping-key-spec "RSA_1024": use RSA_2048, RSA_3072, RSA_4096`},
		{[]string{"import", "--hsm-key", "k", "--no-expiry", "--key-id", "x", "--alias", "a"}, "--alias, --description, --tag and --keep-kms-key are for a key this run creates"},
		{[]string{"import", "--generate", "--no-expiry", "--tag", "novalue"}, `"novalue" is not KEY=VALUE`},
		{[]string{"import", "--generate", "--no-expiry", "extra"}, `unexpected argument "extra"`},
		{[]string{"export", "--hsm-key", "k"}, "--out-dir is required"},
		{[]string{"export", "--out-dir", "d"}, "--hsm-key is required"},
		{[]string{"export", "--out-dir", "d", "--hsm-key", "k"}, "give the import parameters (--params-file, or --public-key and --import-token), or --key-id"},
		{[]string{"export", "--out-dir", "d", "--hsm-key", "k", "--params-file", "p"}, "give --algorithm: the --wrapping-algorithm the parameters were requested with"},
		{[]string{"export", "--out-dir", "d", "--hsm-key", "k", "--public-key", "p"}, "--public-key and --import-token go together"},
		{[]string{"export", "--out-dir", "d", "--hsm-key", "k", "--params-file", "p", "--algorithm", "AES"}, `--algorithm "AES": use one of`},
		{[]string{"export", "--out-dir", "d", "--hsm-key", "k", "--key-id", "x", "--wrapping-key", "w"}, "--wrapping-key goes with parameter files"},
		{[]string{"upload", "--no-expiry"}, "--dir is required"},
		{[]string{"upload", "--dir", "d"}, "choose the key material's expiration"},
	} {
		code, _, errOut := byokMain(c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("trent byok %s: exit %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}

func TestBYOKExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		f    expiryFlags
		want string
	}{
		{expiryFlags{noExpiry: true}, "KEY_MATERIAL_DOES_NOT_EXPIRE"},
		{expiryFlags{expireIn: "90d"}, "2026-04-01T12:00:00Z"},
		{expiryFlags{expireIn: "36h"}, "2026-01-03T00:00:00Z"},
		{expiryFlags{validTo: "2026-06-30"}, "2026-06-30T00:00:00Z"},
		{expiryFlags{validTo: "2026-06-30T10:00:00+02:00"}, "2026-06-30T08:00:00Z"},
		{expiryFlags{expireIn: "365d"}, "2027-01-01T12:00:00Z"},
	} {
		e, err := c.f.resolve(now)
		if err != nil || e.String() != c.want {
			t.Errorf("%+v: %v %v, want %s", c.f, e, err, c.want)
		}
		if (e.validTo == nil) != (e.model == types.ExpirationModelTypeKeyMaterialDoesNotExpire) {
			t.Errorf("%+v: model %s with validTo %v", c.f, e.model, e.validTo)
		}
	}
	for _, s := range []string{"0d", "-1h", "d", "1.5d", "soon"} {
		if _, err := (&expiryFlags{expireIn: s}).resolve(now); err == nil {
			t.Errorf("--expires-in %q accepted", s)
		}
	}
}

func TestBYOKParameterFiles(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	token := []byte("\x01\x02opaque import token")
	dir := t.TempDir()
	for _, validTo := range []string{`1795863133.25`, `"2026-11-28T10:52:13.250000+00:00"`, `"1795863133.25"`} {
		path := filepath.Join(dir, "params.json")
		text := `{"KeyId":"arn:aws:kms:us-east-1:111122223333:key/k","ImportToken":"` + base64.StdEncoding.EncodeToString(token) +
			`","PublicKey":"` + base64.StdEncoding.EncodeToString(spki) + `","ParametersValidTo":` + validTo + `}`
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := readParamsFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 11, 28, 10, 52, 13, 250e6, time.UTC)
		if p.keyARN != "arn:aws:kms:us-east-1:111122223333:key/k" || !bytes.Equal(p.token, token) || !bytes.Equal(p.publicKey, spki) || !p.validTo.Equal(want) {
			t.Errorf("ParametersValidTo %s: %+v", validTo, p)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"KeyId":"k","ImportToken":"!!"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readParamsFile(filepath.Join(dir, "bad.json")); err == nil || !strings.Contains(err.Error(), "ImportToken is missing or not base64") {
		t.Errorf("bad params: %v", err)
	}

	// The console's files: binary token, or base64 as the CLI's text output.
	keyID := "1234abcd-12ab-34cd-56ef-1234567890ab"
	pub := filepath.Join(dir, "wrappingKey_"+keyID+"_1127105213")
	tok := filepath.Join(dir, "importToken_"+keyID+"_1127105213")
	if err := os.WriteFile(pub, spki, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, content := range [][]byte{token, []byte(base64.StdEncoding.EncodeToString(token) + "\n")} {
		if err := os.WriteFile(tok, content, 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := readConsoleFiles(pub, tok, "")
		if err != nil || p.keyARN != keyID || !bytes.Equal(p.token, token) || !bytes.Equal(p.publicKey, spki) || p.validTo != nil {
			t.Errorf("console files: %+v %v", p, err)
		}
	}
	if spec, err := specOf(spki); spec != "RSA_2048" || err != nil {
		t.Errorf("specOf: %s %v", spec, err)
	}
	renamed := filepath.Join(dir, "wrapping.der")
	if err := os.Rename(pub, renamed); err != nil {
		t.Fatal(err)
	}
	if _, err := readConsoleFiles(renamed, tok, ""); err == nil || !strings.Contains(err.Error(), "give --key-id") {
		t.Errorf("console files without a key id: %v", err)
	}
}

func TestBYOKExportFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	validTo := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	m := &manifest{KeyID: "arn:k", WrappingAlgorithm: "RSAES_OAEP_SHA_1", WrappingKeySpec: "RSA_2048", ParametersValidTo: &validTo}
	if err := writeExport(dir, m, []byte("wrapped"), []byte("token")); err != nil {
		t.Fatal(err)
	}
	if err := writeExport(dir, m, []byte("other"), []byte("token")); err == nil || !strings.Contains(err.Error(), "already holds an export") {
		t.Errorf("second export into the same directory: %v", err)
	}
	got, wrapped, token, err := readExport(dir)
	if err != nil || string(wrapped) != "wrapped" || string(token) != "token" || got.KeyID != "arn:k" || !got.ParametersValidTo.Equal(validTo) {
		t.Fatalf("readExport: %+v %q %q %v", got, wrapped, token, err)
	}
	if err := os.WriteFile(filepath.Join(dir, wrappedKeyFile), []byte("swapped"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := readExport(dir); err == nil || !strings.Contains(err.Error(), "wrapped.key does not match the SHA-256 in import.json") {
		t.Errorf("changed wrapped.key: %v", err)
	}
	past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := checkNotExpired(&past, time.Now(), "do it again"); err == nil || err.Error() != "the import token expired at 2020-01-02T03:04:05Z (KMS's import parameters are valid for 24 hours); do it again" {
		t.Errorf("checkNotExpired: %v", err)
	}
	var js map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, manifestFile))
	if json.Unmarshal(b, &js) != nil || js["wrapped_key_file"] != "wrapped.key" || js["import_token_file"] != "token.bin" {
		t.Errorf("import.json: %s", b)
	}
}

func TestBYOKKMSErrors(t *testing.T) {
	err := kmsError("ImportKeyMaterial", &smithy.GenericAPIError{Code: "ExpiredImportTokenException", Message: "The import token expired at X."})
	want := "KMS ImportKeyMaterial: ExpiredImportTokenException: The import token expired at X. — import tokens are valid for 24 hours"
	if !strings.HasPrefix(err.Error(), want) || apiCode(err) != "ExpiredImportTokenException" {
		t.Errorf("kmsError: %v (%s)", err, apiCode(err))
	}
	err = kmsError("DescribeKey", errors.New("dial tcp 127.0.0.1:1: connect: connection refused"))
	if !strings.Contains(err.Error(), "check the endpoint (--endpoint-url, AWS_ENDPOINT_URL_KMS)") || apiCode(err) != "" {
		t.Errorf("kmsError, transport: %v", err)
	}
	if got := kmsAlgorithms("RSA_2048"); strings.Join(got, ",") != "RSAES_OAEP_SHA_256,RSAES_OAEP_SHA_1" {
		t.Errorf("kmsAlgorithms = %v", got)
	}
}

func TestBYOKProgress(t *testing.T) {
	var buf bytes.Buffer
	r := &byokRun{prog: &progress{w: &buf, total: 2}}
	_ = r.step("first", func() (string, error) { r.prog.note("a note"); return "detail", nil })
	err := r.step("second", func() (string, error) { return "", errors.New("it broke") })
	want := "[1/2] first ...\n      note: a note\n      ... ok: detail\n[2/2] second ... failed\n"
	if buf.String() != want || err == nil || err.Error() != "step 2 (second): it broke" {
		t.Errorf("progress %q, err %v", buf.String(), err)
	}
}
