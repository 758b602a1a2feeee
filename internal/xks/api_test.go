//go:build cgo

package xks

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestAPIs runs every API of the specification against the proxy on
// SoftHSM2: key metadata, an encrypt/decrypt round trip with AAD and the
// CDIV, and the health status.
func TestAPIs(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
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
		cdiv      bool
	}{
		{"no AAD", []byte("a 32-byte KMS intermediate value"), nil, false},
		{"AAD and CDIV", []byte("hello"), []byte("project=nile,department=marketing"), true},
		{"spec sizes", bytes.Repeat([]byte{7}, 4300), bytes.Repeat([]byte{8}, 8192), true},
	} {
		t.Run("Encrypt and Decrypt, "+tc.name, func(t *testing.T) {
			req := map[string]any{"requestMetadata": meta(alice, "Encrypt"), "plaintext": tc.plaintext,
				"encryptionAlgorithm": "AES_GCM"}
			if tc.aad != nil {
				req["additionalAuthenticatedData"] = tc.aad
			}
			if tc.cdiv {
				req["ciphertextDataIntegrityValueAlgorithm"] = "SHA_256"
			}
			r := c.must(keyPath("k1", "encrypt"), req)
			if r.status != 200 {
				t.Fatalf("encrypt: %d %s", r.status, r.raw)
			}
			ct, iv, tag, md := b64(t, r, "ciphertext"), b64(t, r, "initializationVector"), b64(t, r, "authenticationTag"), b64(t, r, "ciphertextMetadata")
			if len(ct) != len(tc.plaintext) || len(iv) != 12 || len(tag) != 16 || len(md) == 0 || len(md) > 20 {
				t.Fatalf("encrypt answer sizes: ct %d iv %d tag %d metadata %d", len(ct), len(iv), len(tag), len(md))
			}
			if bytes.Contains(r.raw, []byte(base64.StdEncoding.EncodeToString(tc.plaintext))) {
				t.Fatal("the answer holds the plaintext")
			}
			if tc.cdiv {
				var all []byte
				for _, b := range [][]byte{tc.aad, md, iv, ct, tag} {
					all = append(all, b...)
				}
				want := sha256.Sum256(all)
				if got := b64(t, r, "ciphertextDataIntegrityValue"); !bytes.Equal(got, want[:]) {
					t.Fatalf("CDIV = %x, want %x", got, want)
				}
			} else if _, ok := r.body["ciphertextDataIntegrityValue"]; ok {
				t.Fatal("CDIV answered without being asked for")
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
			// Every authenticated part, changed, is InvalidCiphertextException.
			for _, member := range []string{"ciphertext", "authenticationTag", "ciphertextMetadata", "additionalAuthenticatedData", "initializationVector"} {
				bad := map[string]any{}
				for k, v := range dreq {
					bad[k] = v
				}
				orig, _ := dreq[member].([]byte)
				changed := append([]byte{}, orig...)
				if len(changed) == 0 {
					changed = []byte("x")
				} else {
					changed[0] ^= 1
				}
				bad[member] = changed
				wantError(t, c.must(keyPath("k1", "decrypt"), bad), 400, InvalidCiphertextException)
			}
			// Metadata dropped: the tag no longer verifies either.
			delete(dreq, "ciphertextMetadata")
			wantError(t, c.must(keyPath("k1", "decrypt"), dreq), 400, InvalidCiphertextException)
		})
	}

	t.Run("a key of another store", func(t *testing.T) {
		// Store B's k1 is another token key: store A's ciphertext does not
		// decrypt there, and A's credentials do not reach it.
		r := c.must(keyPath("k1", "encrypt"), map[string]any{"requestMetadata": meta(alice, "Encrypt"),
			"plaintext": []byte("x"), "encryptionAlgorithm": "AES_GCM"})
		dreq := map[string]any{"requestMetadata": meta(alice, "Decrypt"), "ciphertext": b64(t, r, "ciphertext"),
			"initializationVector": b64(t, r, "initializationVector"), "authenticationTag": b64(t, r, "authenticationTag"),
			"ciphertextMetadata": b64(t, r, "ciphertextMetadata"), "encryptionAlgorithm": "AES_GCM"}
		wantError(t, f.as(1, 0).must("/kms/xks/v1/keys/k1/decrypt", dreq), 400, InvalidCiphertextException)
		wantError(t, c.must("/kms/xks/v1/keys/k1/decrypt", dreq), 401, AuthenticationFailedException)
	})

	t.Run("GetHealthStatus", func(t *testing.T) {
		for _, op := range []string{"CreateCustomKeyStore", "KmsHealthCheck"} {
			r := c.must(prefixA+"/kms/xks/v1/health", map[string]any{"requestMetadata": map[string]any{
				"kmsOperation": op, "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae"}})
			if r.status != 200 || r.body["xksProxyFleetSize"] != 1.0 || r.body["xksProxyVendor"] != "Trent" ||
				r.body["ekmVendor"] != "SoftHSM project" || !strings.HasPrefix(r.body["xksProxyModel"].(string), "Trent") {
				t.Fatalf("health: %d %s", r.status, r.raw)
			}
			fleet := r.body["ekmFleetDetails"].([]any)
			if d := fleet[0].(map[string]any); len(fleet) != 1 || d["healthStatus"] != "ACTIVE" || d["id"] == "" || d["model"] == "" {
				t.Fatalf("ekmFleetDetails = %v", fleet)
			}
		}
	})

	t.Run("unknown kmsOperation and unknown members are accepted", func(t *testing.T) {
		md := meta(alice, "SomeFutureKmsOperation")
		md["sourceIdentity"] = "future"
		md["nitroEnclaveAttestation"] = map[string]any{"pcr0": "abc"}
		r := c.must(keyPath("k1", "encrypt"), map[string]any{"requestMetadata": md, "plaintext": []byte("x"),
			"encryptionAlgorithm": "AES_GCM", "someFutureMember": []int{1, 2}})
		if r.status != 200 {
			t.Fatalf("encrypt: %d %s", r.status, r.raw)
		}
	})

	t.Run("load balancer probe", func(t *testing.T) {
		resp, err := f.httpClient(nil).Get("https://" + f.addr + ProbePath)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", ProbePath, resp.StatusCode)
		}
	})

	t.Run("metrics count the APIs", func(t *testing.T) {
		resp, err := f.httpClient(nil).Get("https://" + f.addr + MetricsPath)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{`trent_requests_total{operation="Encrypt",outcome="ok"}`, `trent_requests_total{operation="GetHealthStatus",outcome="ok"}`} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
				t.Fatalf("GET %s: %d, no %s in\n%s", MetricsPath, resp.StatusCode, want, b)
			}
		}
	})
}

// TestKeyUsageAndStatus: the token key's usage flags give keyUsage,
// keyStatus and the errors of operations they do not allow.
func TestKeyUsageAndStatus(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	c := f.as(0, 1)
	enc := func(cdiv bool) map[string]any {
		m := map[string]any{"requestMetadata": meta(alice, "Encrypt"), "plaintext": []byte("x"), "encryptionAlgorithm": "AES_GCM"}
		if cdiv {
			m["ciphertextDataIntegrityValueAlgorithm"] = "SHA_256"
		}
		return m
	}
	dec := map[string]any{"requestMetadata": meta(alice, "Decrypt"), "ciphertext": []byte("x"),
		"initializationVector": make([]byte, 12), "authenticationTag": make([]byte, 16), "encryptionAlgorithm": "AES_GCM"}
	for _, tc := range []struct {
		key        string
		usage      []string
		status     string
		encrypt    string // errorName, "" for success
		encryptDIV string
		decrypt    string
	}{
		{"k1", []string{"ENCRYPT", "DECRYPT"}, "ENABLED", "", "", InvalidCiphertextException},
		{"enc-only", []string{"ENCRYPT"}, "ENABLED", "", InvalidKeyUsageException, InvalidKeyUsageException},
		{"dec-only", []string{"DECRYPT"}, "ENABLED", InvalidKeyUsageException, InvalidKeyUsageException, InvalidCiphertextException},
		{"disabled", []string{}, "DISABLED", InvalidStateException, InvalidStateException, InvalidStateException},
	} {
		t.Run(tc.key, func(t *testing.T) {
			r := c.must(keyPath(tc.key, "metadata"), map[string]any{"requestMetadata": meta(alice, "CreateKey")})
			var usage []string
			for _, u := range r.body["keyUsage"].([]any) {
				usage = append(usage, u.(string))
			}
			if r.status != 200 || !slices.Equal(usage, tc.usage) && len(tc.usage)+len(usage) > 0 || r.body["keyStatus"] != tc.status {
				t.Fatalf("metadata: %d %s", r.status, r.raw)
			}
			for _, step := range []struct {
				path string
				body map[string]any
				want string
			}{
				{keyPath(tc.key, "encrypt"), enc(false), tc.encrypt},
				{keyPath(tc.key, "encrypt"), enc(true), tc.encryptDIV},
				{keyPath(tc.key, "decrypt"), dec, tc.decrypt},
			} {
				r := c.must(step.path, step.body)
				if step.want == "" {
					if r.status != 200 {
						t.Fatalf("%s: %d %s", step.path, r.status, r.raw)
					}
					continue
				}
				wantError(t, r, statuses[step.want], step.want)
			}
		})
	}
}
