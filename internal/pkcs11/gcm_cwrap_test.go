//go:build cgo

package pkcs11

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"testing"
	"time"
	"unsafe"

	mp "github.com/miekg/pkcs11"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// TestGCMKnownAnswer checks the token's AES-GCM against Go's with a key
// whose value the test knows: the calls reach C_Encrypt and C_Decrypt
// (function numbers fnEncrypt and fnDecrypt) and nothing else.
func TestGCMKnownAnswer(t *testing.T) {
	for _, tk := range poolTokens {
		t.Run(tk.name, func(t *testing.T) {
			cfg := tk.config(t)
			value := bytes.Repeat([]byte{0x5a, 0xa5}, 16)
			label := fmt.Sprintf("kat-%d", time.Now().UnixNano())
			pin := ""
			if cfg.PIN != nil {
				pin, _ = cfg.PIN(TokenInfo{})
			}
			pkcs11test.ImportAESKey(t, cfg.Module, cfg.NSSDB, cfg.TokenLabel, pin, label, value)
			p, err := OpenPool(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			block, err := aes.NewCipher(value)
			if err != nil {
				t.Fatal(err)
			}
			gcm, err := cipher.NewGCM(block)
			if err != nil {
				t.Fatal(err)
			}
			key, iv, aad := PoolKey{Label: label}, bytes.Repeat([]byte{3}, GCMIVSize), []byte("context")
			for _, pt := range [][]byte{{}, []byte("x"), bytes.Repeat([]byte("0123456789"), 100)} {
				t.Run(fmt.Sprint(len(pt)), func(t *testing.T) {
					used, ct, err := p.EncryptAESGCM(key, iv, aad, pt)
					if err != nil {
						t.Fatal(err)
					}
					if want := gcm.Seal(nil, used, pt, aad); !bytes.Equal(ct, want) {
						t.Fatalf("token's ciphertext %x\nGo's              %x", ct, want)
					}
					got, err := p.DecryptAESGCM(key, iv, aad, gcm.Seal(nil, iv, pt, aad))
					if err != nil || !bytes.Equal(got, pt) {
						t.Fatalf("DecryptAESGCM of Go's ciphertext = %x, %v", got, err)
					}
				})
			}
		})
	}
}

// TestCallModule: module.call refuses a module the process has not loaded
// and function numbers outside CK_FUNCTION_LIST, and reaches C_Encrypt
// and C_Decrypt, which answer CKR_OPERATION_NOT_INITIALIZED without an
// init.
func TestCallModule(t *testing.T) {
	tok := openSoftHSM(t)
	ok := func(unsafe.Pointer) uint { return 0 }
	for _, tc := range []struct {
		name string
		mod  *module
		n    int
		want uint
	}{
		{"not loaded", &module{path: "/nonexistent/libnothing.so"}, fnEncrypt, mp.CKR_GENERAL_ERROR},
		{"function 0", tok.mod, 0, mp.CKR_GENERAL_ERROR},
		{"function 69", tok.mod, 69, mp.CKR_GENERAL_ERROR},
		{"loaded", tok.mod, fnEncrypt, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.mod.call(tc.n, ok)
			if tc.want == 0 && err != nil || tc.want != 0 && !isRV(err, tc.want) {
				t.Fatalf("module.call = %v, want %#x", err, tc.want)
			}
		})
	}
	for _, fn := range []int{fnEncrypt, fnDecrypt} {
		if out, err := cryptOnce(tok.mod, fn, tok.sess, []byte("x"), 32); out != nil || !isRV(err, mp.CKR_OPERATION_NOT_INITIALIZED) {
			t.Fatalf("function %d without an init: %x, %v", fn, out, err)
		}
	}
}
