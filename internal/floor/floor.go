// Package floor is the benchmark floor: the least work a server answering
// KMS Encrypt over HTTP can do with Trent's own formats. Its handler
// decodes and validates the request with the same decoder (package wire),
// seals the plaintext into the same ciphertext format (package ciphertext:
// AES-256-GCM under a per-message key) under material held in memory, and
// encodes the same JSON answer — with no authentication, key lookup,
// storage, policy, audit or metrics. `make bench` runs it in the same
// binary and the same run as the real server (`trent bench-floor`), so the
// cost of everything Trent adds to an Encrypt is reported as a multiple of
// this floor on the same machine at the same moment, which is steadier
// than absolute figures on a shared machine.
//
// It is a measuring instrument, never a service: it accepts every request
// without checking who sent it, and its key dies with the process.
package floor

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"

	"github.com/trent-kms/trent/internal/ciphertext"
	"github.com/trent-kms/trent/internal/wire"
)

// Handler returns the floor's handler, with fresh random key material.
func Handler() http.Handler {
	var material [32]byte
	var keyID [ciphertext.KeyIDSize]byte
	var materialID [ciphertext.MaterialIDSize]byte
	rand.Read(material[:])
	rand.Read(keyID[:])
	rand.Read(materialID[:])
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		var in wire.EncryptRequest
		if err := wire.Decode(body, &in); err != nil {
			http.Error(w, "bad JSON", http.StatusBadRequest)
			return
		}
		if err := in.Validate(); err != nil {
			http.Error(w, "invalid request", http.StatusBadRequest)
			return
		}
		blob, err := ciphertext.Seal(rand.Reader, material[:], keyID, materialID, in.Plaintext, in.EncryptionContext)
		clear(in.Plaintext)
		if err != nil {
			http.Error(w, "seal failed", http.StatusInternalServerError)
			return
		}
		out, _ := json.Marshal(&wire.EncryptResponse{CiphertextBlob: blob, KeyId: in.KeyId, EncryptionAlgorithm: "SYMMETRIC_DEFAULT"})
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Write(out)
	})
}
