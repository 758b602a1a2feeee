//go:build cgo

package pkcs11

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// poolTokens are the tokens the Pool's AES-GCM is tested on: each returns
// the Config of a token that keeps token objects.
var poolTokens = []struct {
	name   string
	config func(t *testing.T) Config
}{
	{"softhsm", softHSMConfig},
	{"nss", nssKeyDBConfig},
}

// nssKeyDBConfig selects the token of the test binary's NSS database that
// keeps token objects (empty password: no login).
func nssKeyDBConfig(t *testing.T) Config {
	t.Helper()
	return Config{Module: pkcs11test.NSSModule, NSSDB: pkcs11test.NSSDB(t), TokenLabel: nssKeyDBToken}
}

// TestPoolAESGCM runs AES-GCM round trips of several sizes and the
// refusals of ciphertexts that do not authenticate on every test token.
// NSS softokn answers C_Encrypt's length query with a length too short
// for the tag, so this fails there unless the output buffer is sized by
// the caller.
func TestPoolAESGCM(t *testing.T) {
	for _, tk := range poolTokens {
		t.Run(tk.name, func(t *testing.T) {
			cfg := tk.config(t)
			key := poolKey(t, cfg)
			p, err := OpenPool(cfg, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if err := p.CheckAESGCM(); err != nil {
				t.Fatal(err)
			}
			iv := bytes.Repeat([]byte{9}, GCMIVSize)
			for _, tc := range []struct {
				name      string
				aad, data []byte
			}{
				{"empty", nil, nil},
				{"one byte", []byte("aad"), []byte("x")},
				{"one block", nil, bytes.Repeat([]byte{1}, 16)},
				{"unaligned", []byte("aad"), []byte("plaintext")},
				{"4300 bytes", bytes.Repeat([]byte{8}, 8192), bytes.Repeat([]byte{7}, 4300)},
			} {
				t.Run(tc.name, func(t *testing.T) {
					used, ct, err := p.EncryptAESGCM(key, iv, tc.aad, tc.data)
					if err != nil || len(used) != GCMIVSize || len(ct) != len(tc.data)+GCMTagSize {
						t.Fatalf("EncryptAESGCM = %x, %d bytes, %v", used, len(ct), err)
					}
					if len(tc.data) > 0 && bytes.Contains(ct, tc.data) {
						t.Fatal("the ciphertext holds the plaintext")
					}
					pt, err := p.DecryptAESGCM(key, used, tc.aad, ct)
					if err != nil || pt == nil || !bytes.Equal(pt, tc.data) {
						t.Fatalf("DecryptAESGCM = %x, %v", pt, err)
					}
				})
			}
			used, ct, err := p.EncryptAESGCM(key, iv, []byte("aad"), []byte("plaintext"))
			if err != nil {
				t.Fatal(err)
			}
			tampered, badTag := bytes.Clone(ct), bytes.Clone(ct)
			tampered[0] ^= 1
			badTag[len(badTag)-1] ^= 1
			otherIV := bytes.Clone(used)
			otherIV[0] ^= 1
			for _, tc := range []struct {
				name        string
				key         PoolKey
				iv, aad, ct []byte
				want        string // "" for ErrDecryptFailed
			}{
				{"other aad", key, used, []byte("other"), ct, ""},
				{"no aad", key, used, nil, ct, ""},
				{"tampered", key, used, []byte("aad"), tampered, ""},
				{"bad tag", key, used, []byte("aad"), badTag, ""},
				{"other iv", key, otherIV, []byte("aad"), ct, ""},
				{"truncated", key, used, []byte("aad"), ct[:len(ct)-1], ""},
				{"tag only", key, used, []byte("aad"), ct[len(ct)-GCMTagSize:], ""},
				{"short iv", key, used[:8], []byte("aad"), ct, ""},
				{"no such key", PoolKey{Label: "no-such-key"}, used, []byte("aad"), ct, `0 secret keys match label "no-such-key"`},
				{"wrong id", PoolKey{Label: key.Label, ID: []byte("other id"), Protected: true}, used, []byte("aad"), ct, "0 secret keys match"},
				{"no selection", PoolKey{}, used, []byte("aad"), ct, "selects no key"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					pt, err := p.DecryptAESGCM(tc.key, tc.iv, tc.aad, tc.ct)
					if pt != nil || tc.want == "" && !errors.Is(err, ErrDecryptFailed) || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
						t.Fatalf("DecryptAESGCM = %q, %v, want %q", pt, err, tc.want)
					}
				})
			}
			// The sessions survived the refusals.
			if pt, err := p.DecryptAESGCM(key, used, []byte("aad"), ct); err != nil || string(pt) != "plaintext" {
				t.Fatalf("after refusals: %q, %v", pt, err)
			}
			if p.Calls() < 4 {
				t.Fatalf("%d token calls", p.Calls())
			}
			p.Close()
			if _, _, err := p.EncryptAESGCM(key, iv, nil, nil); !errors.Is(err, ErrPoolClosed) {
				t.Fatalf("after Close: %v", err)
			}
		})
	}
}
