//go:build cgo

package xks

import (
	"bytes"
	"testing"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

// nssConfig is the pool configuration of an NSS softokn database with an
// empty password, given as the README gives it: the database directory
// alone, which implies libsoftokn3.so, its "NSS Certificate DB" token and
// no login.
func nssConfig(t testing.TB) xksconfig.PKCS11 {
	return xksconfig.PKCS11{NSSDB: pkcs11test.NSSDB(t)}
}

// TestAPIsNSS runs the proxy on NSS softokn: key metadata of the AES-256
// keys the fixture generates there, encrypt/decrypt round trips (NSS
// answers C_Encrypt's length query for CKM_AES_GCM without room for the
// tag, which package pkcs11's one-call C_Encrypt avoids), the refusal of
// changed ciphertexts, and the deep health check.
func TestAPIsNSS(t *testing.T) {
	f := newFixture(t, fixtureOptions{token: nssConfig})
	c := f.as(0, 0)

	t.Run("GetKeyMetadata", func(t *testing.T) {
		r := c.must(keyPath("k1", "metadata"), map[string]any{"requestMetadata": meta(alice, "CreateKey")})
		if r.status != 200 || r.body["keySpec"] != "AES_256" || r.body["keyStatus"] != "ENABLED" {
			t.Fatalf("metadata: %d %s", r.status, r.raw)
		}
		if got := r.body["keyUsage"].([]any); len(got) != 2 || got[0] != "ENCRYPT" || got[1] != "DECRYPT" {
			t.Fatalf("keyUsage = %v", got)
		}
	})

	for _, tc := range []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{"one byte, no AAD", []byte("x"), nil},
		{"32 bytes with AAD", []byte("a 32-byte KMS intermediate value"), []byte("project=nile")},
		{"spec sizes", bytes.Repeat([]byte{7}, 4300), bytes.Repeat([]byte{8}, 8192)},
	} {
		t.Run("Encrypt and Decrypt, "+tc.name, func(t *testing.T) {
			req := map[string]any{"requestMetadata": meta(alice, "Encrypt"), "plaintext": tc.plaintext,
				"encryptionAlgorithm": "AES_GCM", "ciphertextDataIntegrityValueAlgorithm": "SHA_256"}
			if tc.aad != nil {
				req["additionalAuthenticatedData"] = tc.aad
			}
			r := c.must(keyPath("k1", "encrypt"), req)
			if r.status != 200 {
				t.Fatalf("encrypt: %d %s", r.status, r.raw)
			}
			ct, iv, tag, md := b64(t, r, "ciphertext"), b64(t, r, "initializationVector"), b64(t, r, "authenticationTag"), b64(t, r, "ciphertextMetadata")
			if len(ct) != len(tc.plaintext) || len(iv) != 12 || len(tag) != 16 || len(md) == 0 {
				t.Fatalf("encrypt answer sizes: ct %d iv %d tag %d metadata %d", len(ct), len(iv), len(tag), len(md))
			}
			dreq := map[string]any{"requestMetadata": meta(alice, "Decrypt"), "ciphertext": ct, "initializationVector": iv,
				"authenticationTag": tag, "ciphertextMetadata": md, "encryptionAlgorithm": "AES_GCM"}
			if tc.aad != nil {
				dreq["additionalAuthenticatedData"] = tc.aad
			}
			d := c.must(keyPath("k1", "decrypt"), dreq)
			if d.status != 200 || !bytes.Equal(b64(t, d, "plaintext"), tc.plaintext) {
				t.Fatalf("decrypt: %d %.200s", d.status, d.raw)
			}
			for _, member := range []string{"ciphertext", "authenticationTag", "initializationVector"} {
				bad := map[string]any{}
				for k, v := range dreq {
					bad[k] = v
				}
				changed := bytes.Clone(dreq[member].([]byte))
				changed[0] ^= 1
				bad[member] = changed
				wantError(t, c.must(keyPath("k1", "decrypt"), bad), 400, InvalidCiphertextException)
			}
		})
	}

	t.Run("store B's key does not decrypt store A's ciphertext", func(t *testing.T) {
		r := c.must(keyPath("k1", "encrypt"), map[string]any{"requestMetadata": meta(alice, "Encrypt"),
			"plaintext": []byte("x"), "encryptionAlgorithm": "AES_GCM"})
		dreq := map[string]any{"requestMetadata": meta(alice, "Decrypt"), "ciphertext": b64(t, r, "ciphertext"),
			"initializationVector": b64(t, r, "initializationVector"), "authenticationTag": b64(t, r, "authenticationTag"),
			"ciphertextMetadata": b64(t, r, "ciphertextMetadata"), "encryptionAlgorithm": "AES_GCM"}
		wantError(t, f.as(1, 0).must("/kms/xks/v1/keys/k1/decrypt", dreq), 400, InvalidCiphertextException)
	})

	t.Run("GetHealthStatus", func(t *testing.T) {
		r := c.must(prefixA+"/kms/xks/v1/health", map[string]any{"requestMetadata": map[string]any{
			"kmsOperation": "KmsHealthCheck", "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae"}})
		if r.status != 200 || r.body["ekmVendor"] != "Mozilla Foundation" {
			t.Fatalf("health: %d %s", r.status, r.raw)
		}
		fleet := r.body["ekmFleetDetails"].([]any)
		if d := fleet[0].(map[string]any); len(fleet) != 1 || d["healthStatus"] != "ACTIVE" {
			t.Fatalf("ekmFleetDetails = %v", fleet)
		}
	})
}
