package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/api"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// BenchmarkEncryptHandler measures the server's work for one Encrypt of 32
// bytes — signature verification, decoding, validation, the core and
// encoding — without the network, to profile the hot path.
func BenchmarkEncryptHandler(b *testing.B) {
	ctx := identity.WithSystem(context.Background())
	st, err := sqlite.Open(b.TempDir() + "/t.db")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rk, _ := rootkey.OpenSoftware(b.TempDir() + "/root.key")
	svc, err := kms.New(ctx, kms.Config{Store: st, RootKey: rk, Region: "us-east-1", AccountID: "111122223333"})
	if err != nil {
		b.Fatal(err)
	}
	keys := accesskey.New(st, rk, "111122223333")
	if err := keys.Put(ctx, "AKIAEXAMPLE", "secret", keys.RootARN(), "", time.Now()); err != nil {
		b.Fatal(err)
	}
	k, err := svc.CreateKey(ctx, kms.CreateKeyInput{})
	if err != nil {
		b.Fatal(err)
	}
	trail, err := audit.Open(b.TempDir() + "/audit.log")
	if err != nil {
		b.Fatal(err)
	}
	defer trail.Close()
	h := api.New(api.Config{KMS: svc, Keys: keys, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Audit: trail,
		Verifier: &sigv4.Verifier{Service: "kms", Region: "us-east-1", Lookup: keys.Secret}})
	body := []byte(`{"KeyId":"` + k.ID + `","Plaintext":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","EncryptionContext":{"app":"bench"}}`)
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8700/", nil)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService.Encrypt")
	sigv4.Sign(req, body, "AKIAEXAMPLE", []byte("secret"), "us-east-1", "kms", time.Now().UTC())
	b.ReportAllocs()
	for b.Loop() {
		req.Body = io.NopCloser(bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
