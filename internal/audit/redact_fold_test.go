package audit

import (
	"strings"
	"testing"
)

// TestRedactParametersFoldedNames: a sensitive member sent under another
// spelling (case, escapes, Unicode folds) is not recorded either; the
// wire decoder ignores it, but its value is the caller's secret.
func TestRedactParametersFoldedNames(t *testing.T) {
	for _, name := range []string{"plaintext", "PLAINTEXT", `Pl\u0061intext`, `pl\u0041INTEXT`, "ciphertextBlob", "grantTokens",
		"\u212AeyStorePassword", "\u017FecretAccessKey", `Plain\xtext`} {
		t.Run(name, func(t *testing.T) {
			got := string(RedactParameters([]byte(`{"KeyId":"k","` + name + `":"c2VjcmV0"}`)))
			if strings.Contains(got, "c2VjcmV0") || !strings.Contains(got, `"keyId":"k"`) {
				t.Fatalf("RedactParameters = %s", got)
			}
		})
	}
	if got := string(RedactParameters([]byte(`{"KeyIdentifier":"x","Plaintexts":"y"}`))); got != `{"keyIdentifier":"x","plaintexts":"y"}` {
		t.Fatalf("other names must be kept: %s", got)
	}
}

func TestIsSensitiveDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = isSensitive("EncryptionContext") }); n != 0 {
		t.Fatalf("isSensitive allocates %.0f times", n)
	}
}
