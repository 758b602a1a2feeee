//go:build cgo

package pkcs11

import (
	"crypto/aes"
	"os"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

func TestMain(m *testing.M) { os.Exit(pkcs11test.Main(m)) }

// tokenKind is one of the test tokens.
type tokenKind struct {
	name string
	open func(t *testing.T) *Token
}

var tokenKinds = []tokenKind{
	{"softhsm", openSoftHSM},
	{"nss", openNSS},
}

func softHSMConfig(t *testing.T) Config {
	t.Helper()
	mod := pkcs11test.SoftHSM(t)
	return Config{Module: mod, TokenLabel: pkcs11test.SoftHSMLabel,
		PIN: func(TokenInfo) (string, error) { return pkcs11test.SoftHSMPIN, nil }}
}

// openSoftHSM opens the test binary's SoftHSM2 token, logged in.
func openSoftHSM(t *testing.T) *Token {
	t.Helper()
	tok, err := Open(softHSMConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tok.Close() })
	return tok
}

// openNSS opens the "NSS Generic Crypto Services" token of the test
// binary's NSS database: session objects only, no login.
func openNSS(t *testing.T) *Token {
	t.Helper()
	db := pkcs11test.NSSDB(t)
	tok, err := Open(Config{Module: pkcs11test.NSSModule, NSSDB: db, TokenLabel: nssGenericToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tok.Close() })
	return tok
}

// goKCV is the AES check value computed in Go.
func goKCV(t *testing.T, key []byte) []byte {
	t.Helper()
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 16)
	b.Encrypt(out, out)
	return out[:3]
}

// countObjects counts the objects the token's session sees.
func countObjects(t *testing.T, tok *Token) int {
	t.Helper()
	objs, err := tok.FindObjects(Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(objs)
}

// wrappingKey imports the test RSA public key as a session object with
// wrap and encrypt true and returns its handle.
func wrappingKey(t *testing.T, tok *Token) Handle {
	t.Helper()
	h, err := tok.ImportRSAPublicKey(&pkcs11test.RSAKey(t).PublicKey, PublicKeyOptions{Label: "test wrapping key", Wrap: true, Encrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tok.DestroyObject(h) })
	return h
}

// sessionKey generates a session secret key from spec and destroys it at
// the end of the test.
func sessionKey(t *testing.T, tok *Token, spec KeySpec) Handle {
	t.Helper()
	spec.Token = false
	h, err := tok.GenerateSecretKey(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tok.DestroyObject(h) })
	return h
}

// keyValue reads a key's value the way KMS would: wrapped by the token
// with RSAES_OAEP_SHA_1 (every test token has it), unwrapped in Go.
func keyValue(t *testing.T, tok *Token, key Handle) []byte {
	t.Helper()
	w, err := tok.Wrap(key, wrappingKey(t, tok), RSAESOAEPSHA1)
	if err != nil {
		t.Fatal(err)
	}
	v, err := byok.Unwrap(pkcs11test.RSAKey(t), RSAESOAEPSHA1, w, 0)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantErr fails unless err contains every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q\ndoes not contain %q", err, p)
		}
	}
}
