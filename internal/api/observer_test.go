package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/api"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/metrics"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store/sqlite"
	"github.com/trent-kms/trent/internal/wire"
)

// observedHandler is a Handler over a fresh store with one key and the
// access key AKIAEXAMPLE, reporting to obs (which may be nil).
func observedHandler(tb testing.TB, obs api.Observer) (*api.Handler, string) {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(tb.TempDir() + "/t.db")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	rk, _ := rootkey.OpenSoftware(tb.TempDir() + "/root.key")
	svc, err := kms.New(ctx, kms.Config{Store: st, RootKey: rk, Region: "us-east-1", AccountID: "111122223333"})
	if err != nil {
		tb.Fatal(err)
	}
	keys := accesskey.New(st, rk, "111122223333")
	if err := keys.Put(ctx, "AKIAEXAMPLE", "secret", keys.RootARN(), "", time.Now()); err != nil {
		tb.Fatal(err)
	}
	k, err := svc.CreateKey(ctx, kms.CreateKeyInput{})
	if err != nil {
		tb.Fatal(err)
	}
	h := api.New(api.Config{KMS: svc, Keys: keys, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Observer: obs,
		Verifier: &sigv4.Verifier{Service: "kms", Region: "us-east-1", Lookup: keys.Secret}})
	return h, k.ID
}

func signedRequest(target string, body []byte) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8700/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+target)
	sigv4.Sign(req, body, "AKIAEXAMPLE", []byte("secret"), "us-east-1", "kms", time.Now().UTC())
	return req
}

type recordingObserver struct{ got []string }

func (r *recordingObserver) ObserveRequest(op, outcome string, d time.Duration) {
	if d <= 0 {
		op += "(no time)"
	}
	r.got = append(r.got, op+" "+outcome)
}

// TestObserver checks that every request is reported once, with its
// operation and outcome.
func TestObserver(t *testing.T) {
	obs := &recordingObserver{}
	h, keyID := observedHandler(t, obs)
	for _, req := range []*http.Request{
		signedRequest("Encrypt", []byte(`{"KeyId":"`+keyID+`","Plaintext":"AAAA"}`)),
		signedRequest("Encrypt", []byte(`{"KeyId":"alias/none","Plaintext":"AAAA"}`)),
		signedRequest("NoSuchThing", []byte(`{}`)),
		httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`)),
	} {
		if req.Header.Get("X-Amz-Target") == "" {
			req.Header.Set("X-Amz-Target", "TrentService.ListKeys") // unsigned
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	want := []string{"Encrypt ok", "Encrypt NotFoundException", " UnknownOperationException", "ListKeys MissingAuthenticationTokenException"}
	if strings.Join(obs.got, "|") != strings.Join(want, "|") {
		t.Errorf("observed %q, want %q", obs.got, want)
	}
}

// BenchmarkEncryptHandlerObserved is BenchmarkEncryptHandler without and
// with the metrics observer, to show what observing costs on the hot path.
func BenchmarkEncryptHandlerObserved(b *testing.B) {
	for _, tc := range []struct {
		name string
		obs  api.Observer
	}{{"none", nil}, {"metrics", metrics.NewServer(wire.Operations)}} {
		b.Run(tc.name, func(b *testing.B) {
			h, keyID := observedHandler(b, tc.obs)
			body := []byte(`{"KeyId":"` + keyID + `","Plaintext":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","EncryptionContext":{"app":"bench"}}`)
			req := signedRequest("Encrypt", body)
			b.ReportAllocs()
			for b.Loop() {
				req.Body = io.NopCloser(bytes.NewReader(body))
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
