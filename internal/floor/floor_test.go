package floor

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/trent-kms/trent/internal/ciphertext"
	"github.com/trent-kms/trent/internal/wire"
)

func TestFloorAnswersEncrypt(t *testing.T) {
	h := Handler()
	body := []byte(`{"KeyId":"k","Plaintext":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
	var out wire.EncryptResponse
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != 200 {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	if _, err := ciphertext.ParseHeader(out.CiphertextBlob); err != nil || out.KeyId != "k" || out.EncryptionAlgorithm != "SYMMETRIC_DEFAULT" {
		t.Errorf("answer %+v: %v", out, err)
	}
}

// BenchmarkFloor is the floor's work per Encrypt without the network, to
// compare with internal/api's BenchmarkEncryptHandler.
func BenchmarkFloor(b *testing.B) {
	h := Handler()
	body := []byte(`{"KeyId":"k","Plaintext":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","EncryptionContext":{"app":"bench"}}`)
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		req.Body = io.NopCloser(bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
}
