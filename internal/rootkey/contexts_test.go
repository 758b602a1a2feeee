package rootkey

import (
	"bytes"
	"testing"
)

// TestContextsPinned pins every seal context to its exact string: they are
// part of the data at rest, and a change makes existing data unreadable.
func TestContextsPinned(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{MaterialIDSecret, "material-id-key"},
		{ImportTokenSecret, "import-token-key"},
		{ReadinessProbeContext, "readiness-probe"},
		{RootKeyCheckContext, "root-key-check"},
		{openCheckContext, "rootkey-open-check"},
		{MaterialContext("1234abcd-0000-4000-8000-000000000001", "ab12"), "key-material/1234abcd-0000-4000-8000-000000000001/ab12"},
		{ImportParamsContext("k", "p"), "import-params/k/p"},
		{AccessKeySecretContext("AKIAEXAMPLE"), "access-key-secret/AKIAEXAMPLE"},
		{XksProxySecretContext("cks-1234567890abcdef0"), "xks-proxy-secret/cks-1234567890abcdef0"},
		{probeName, "material-id-key"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("context %q, want %q: values sealed with the old string would no longer unseal", tc.got, tc.want)
			}
		})
	}
	if got := ServiceSecrets(); len(got) != 2 || got[0] != "material-id-key" || got[1] != "import-token-key" {
		t.Fatalf("ServiceSecrets() = %q", got)
	}
}

// TestContextsOpenOldData unseals values sealed with literal strings (as
// the data at rest holds them) through the constructors.
func TestContextsOpenOldData(t *testing.T) {
	rk, err := NewSoftware(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ literal, context string }{
		{"key-material/k1/m1", MaterialContext("k1", "m1")},
		{"import-params/k1/p1", ImportParamsContext("k1", "p1")},
		{"access-key-secret/AKIA1", AccessKeySecretContext("AKIA1")},
		{"material-id-key", MaterialIDSecret},
		{"import-token-key", ImportTokenSecret},
	} {
		t.Run(tc.literal, func(t *testing.T) {
			sealed, err := rk.Seal([]byte("v"), tc.literal)
			if err != nil {
				t.Fatal(err)
			}
			if pt, err := rk.Unseal(sealed, tc.context); err != nil || string(pt) != "v" {
				t.Fatalf("Unseal = %q, %v", pt, err)
			}
		})
	}
}
