package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The flows of trent byok run against a real server and real tokens in
// e2e/byok_test.go, their parts in internal/byokflow; these are the
// command line's own.

func byokMain(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Main(append([]string{"byok"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBYOKUsage(t *testing.T) {
	if code, _, errOut := byokMain(); code != 2 || !strings.Contains(errOut, "Usage: trent byok <subcommand>") {
		t.Errorf("trent byok: %d %q", code, errOut)
	}
	if code, out, _ := byokMain("-h"); code != 0 || !strings.Contains(out, "AWS_ENDPOINT_URL_KMS") || !strings.Contains(out, "params ") {
		t.Errorf("trent byok -h: %d %q", code, out)
	}
	var out, errOut bytes.Buffer
	if Main([]string{"help"}, &out, &errOut); !strings.Contains(out.String(), "byok ") {
		t.Errorf("trent help does not list byok: %q", out.String())
	}
	params := filepath.Join(t.TempDir(), "params.json")
	if err := os.WriteFile(params, []byte(`{"KeyId":"k","ImportToken":"AAAA","PublicKey":"AAAA"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	used := t.TempDir()
	if err := os.WriteFile(filepath.Join(used, "import.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"nope"}, `unknown subcommand "nope"`, 2},
		{[]string{"import", "--pin", "1234"}, "trent does not take the PIN on the command line", 2},
		{[]string{"import", "--no-expiry"}, "say which HSM key to import: --hsm-key", 2},
		{[]string{"import", "--generate", "--hsm-key", "k", "--no-expiry"}, "give --hsm-key or --generate, not both", 2},
		{[]string{"import", "--hsm-key", "k", "--keep-generated", "--no-expiry"}, "--keep-generated goes with --generate", 2},
		{[]string{"import", "--hsm-key", "k", "--hsm-id", "xyz", "--no-expiry"}, `--hsm-id "xyz" is not hex`, 2},
		{[]string{"import", "--hsm-key", "id:", "--no-expiry"}, "--hsm-key: object reference \"id:\": the id is not hex", 2},
		{[]string{"import", "--generate"}, "choose the key material's expiration: --no-expiry, --valid-to TIME or --expires-in DURATION", 2},
		{[]string{"import", "--generate", "--no-expiry", "--expires-in", "30d"}, "(one of them)", 2},
		{[]string{"import", "--generate", "--expires-in", "366d"}, "more than 365 days ahead, which KMS refuses", 2},
		{[]string{"import", "--generate", "--valid-to", "2020-01-01"}, "the expiry 2020-01-01T00:00:00Z is not in the future", 2},
		{[]string{"import", "--generate", "--valid-to", "tomorrow"}, `--valid-to "tomorrow": not an RFC 3339 time`, 2},
		{[]string{"import", "--generate", "--no-expiry", "--wrapping-key-spec", "RSA_1024"}, `--wrapping-key-spec "RSA_1024": use RSA_2048, RSA_3072, RSA_4096`, 2},
		{[]string{"import", "--hsm-key", "k", "--no-expiry", "--key-id", "x", "--alias", "a"}, "--alias, --description, --tag and --keep-kms-key are for a key this run creates", 2},
		{[]string{"import", "--generate", "--no-expiry", "--tag", "novalue"}, `"novalue" is not KEY=VALUE`, 2},
		{[]string{"import", "--generate", "--no-expiry", "extra"}, `unexpected argument "extra"`, 2},
		{[]string{"export", "--hsm-key", "k"}, "--out-dir is required", 2},
		{[]string{"export", "--out-dir", "d"}, "--hsm-key is required", 2},
		{[]string{"export", "--out-dir", "d", "--hsm-key", "k"}, "give the import parameters (--params-file: ImportParameters.zip or get-parameters-for-import JSON", 2},
		{[]string{"export", "--out-dir", "d", "--hsm-key", "k", "--public-key", "p"}, "--public-key and --import-token go together", 2},
		{[]string{"export", "--out-dir", "d", "--hsm-key", "k", "--key-id", "x", "--wrapping-key", "w"}, "--wrapping-key goes with parameter files", 2},
		{[]string{"export", "--out-dir", used, "--hsm-key", "k", "--key-id", "x"}, "already holds an export (import.json)", 1},
		// The parameters are read (and the algorithm settled) before the token is opened.
		{[]string{"export", "--out-dir", t.TempDir(), "--hsm-key", "k", "--params-file", filepath.Join(t.TempDir(), "none.zip")}, "step 1 (read the import parameters and check the wrapping algorithm): open ", 1},
		{[]string{"export", "--out-dir", t.TempDir(), "--hsm-key", "k", "--params-file", params}, "the public key is neither DER", 1},
		{[]string{"params"}, "--key-id is required", 2},
		{[]string{"params", "--key-id", "k", "--algorithm", "AES"}, `--algorithm "AES": use one of`, 2},
		{[]string{"upload", "--no-expiry"}, "--dir is required", 2},
		{[]string{"upload", "--dir", "d"}, "choose the key material's expiration", 2},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, errOut := byokMain(c.args...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, c.code, c.want)
			}
		})
	}
}

// TestBYOKHelp: each subcommand's -h has a synopsis, its required flags,
// an example and its numbered steps.
func TestBYOKHelp(t *testing.T) {
	for _, c := range []struct {
		sub  string
		want []string
	}{
		{"import", []string{"Usage: trent byok import (--hsm-key REF | --generate) EXPIRY", "Required:", "Example:", "  12. prove that KMS holds the HSM's key",
			"on failure: unless --keep-kms-key", "KMS shows no check value", "-hsm-key"}},
		{"export", []string{"Usage: trent byok export --hsm-key REF --out-dir DIR PARAMETERS", "Required:", "ImportParameters.zip", "Example:",
			"   7. write the files", "   9. write the files"}},
		{"upload", []string{"Usage: trent byok upload --dir DIR EXPIRY", "Example:", "   4. check the KMS key's state"}},
		{"params", []string{"Usage: trent byok params --key-id KEY", "WrappingPublicKey.bin, ImportToken.bin, README.txt", "   3. write ImportParameters.zip"}},
	} {
		t.Run(c.sub, func(t *testing.T) {
			code, out, _ := byokMain(c.sub, "-h")
			if code != 0 {
				t.Fatalf("exit %d", code)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in the help on stdout:\n%s", w, out)
				}
			}
		})
	}
}
