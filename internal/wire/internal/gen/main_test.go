package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestGeneratedUpToDate regenerates zz_generated.go in memory from
// botocore's model and requires it to match the committed file. It skips
// when the model cannot be found, except under CI=true, where a missing
// model is a failure.
func TestGeneratedUpToDate(t *testing.T) {
	path, err := locateModel()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("botocore KMS model not found (CI=true): %v", err)
		}
		t.Skipf("botocore KMS model not found: %v", err)
	}
	got, err := generateFromPath(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../zz_generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("zz_generated.go is stale: run `go generate ./internal/wire/` (model %s)", path)
	}
	again, err := generateFromPath(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Fatal("generator output is not deterministic")
	}
}

func TestTranslatePattern(t *testing.T) {
	tests := []struct {
		name, in, want string
		match, reject  []string
	}{
		{"anchored", `^[a-zA-Z0-9:/_-]+$`, `^(?:^[a-zA-Z0-9:/_-]+$)$`,
			[]string{"alias/my-key"}, []string{"alias/a b", ""}},
		{"unanchored is whole-value", `[0-9]{12}`, `^(?:[0-9]{12})$`,
			[]string{"111122223333"}, []string{"x111122223333", "1111222233334"}},
		{"unicode escapes", `[\u0020-\u00FF]*`, `^(?:[\x{0020}-\x{00FF}]*)$`,
			[]string{"", "abc ÿ"}, []string{"\u0100", "a\tb"}},
		{"java whitespace in class", `^[a-z\s]+$`, `^(?:^[a-z\t\n\x0B\f\r ]+$)$`,
			[]string{"a b\vc"}, []string{"a_b"}},
		{"java whitespace outside class", `a\sb`, `^(?:a[\t\n\x0B\f\r ]b)$`,
			[]string{"a\vb"}, []string{"ab"}},
		{"escaped slash and alternation", `^(/[a-z\/]+/v\d{1,2})$|^(/v\d)$`, `^(?:^(/[a-z\/]+/v\d{1,2})$|^(/v\d)$)$`,
			[]string{"/a/b/v12", "/v1"}, []string{"/a/v123"}},
		{"hyphen after range", `^[a-zA-Z0-9-_.]+$`, `^(?:^[a-zA-Z0-9-_.]+$)$`,
			[]string{"a-b_c.d"}, []string{"a/b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := translatePattern(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("translatePattern(%q) = %q, want %q", tc.in, got, tc.want)
			}
			re := regexp.MustCompile(got)
			for _, s := range tc.match {
				if !re.MatchString(s) {
					t.Errorf("%q should match %q", got, s)
				}
			}
			for _, s := range tc.reject {
				if re.MatchString(s) {
					t.Errorf("%q should not match %q", got, s)
				}
			}
		})
	}
}

func TestTranslatePatternRejectsJavaOnlySyntax(t *testing.T) {
	for _, p := range []string{`a(?=b)`, `(?<!a)b`, `a++`, `[a-z&&[^e]]`, `\Qa.b\E`, `(a)\1`, `\u00G1`, `[abc`} {
		t.Run(p, func(t *testing.T) {
			if got, err := translatePattern(p); err == nil {
				t.Fatalf("translatePattern(%q) = %q, want an error", p, got)
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{lowerFirst("KeyId"), "keyId"},
		{lowerFirst("SAMLOptions"), "sAMLOptions"},
		{enumConstName("KeySpec", "RSA_2048"), "KeySpecRsa2048"},
		{enumConstName("KeySpec", "ECC_SECG_P256K1"), "KeySpecEccSecgP256k1"},
		{enumConstName("KeyState", "PendingDeletion"), "KeyStatePendingDeletion"},
		{enumConstName("EncryptionAlgorithmSpec", "SM2PKE"), "EncryptionAlgorithmSpecSm2pke"},
		{firstSentence("<p>Contains metadata about a KMS key.</p> <p>More.</p>"), "Contains metadata about a KMS key."},
		{firstSentence("<p>A &amp; B</p>"), "A & B"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestGenerateRejectsUnsupportedModels checks that model features the
// generator cannot express fail loudly instead of producing wrong code.
func TestGenerateRejectsUnsupportedModels(t *testing.T) {
	base := `{"metadata":{},"operations":{"Op":{"input":{"shape":"In"}}},"shapes":{%s}}`
	tests := map[string]string{
		"float type":        `"In":{"type":"structure","members":{"A":{"shape":"F"}}},"F":{"type":"float"}`,
		"map value limits":  `"In":{"type":"structure","members":{"M":{"shape":"M"}}},"M":{"type":"map","key":{"shape":"S"},"value":{"shape":"L"}},"S":{"type":"string"},"L":{"type":"string","max":3}`,
		"unknown shape ref": `"In":{"type":"structure","members":{"A":{"shape":"Nope"}}}`,
		"java-only pattern": `"In":{"type":"structure","members":{"A":{"shape":"P"}}},"P":{"type":"string","pattern":"a(?=b)"}`,
	}
	for name, shapes := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := generate([]byte(strings.Replace(base, "%s", shapes, 1))); err == nil {
				t.Fatal("generate succeeded, want an error")
			}
		})
	}
}
