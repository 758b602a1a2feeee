package byokflow

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeKMS answers KMS calls from canned JSON and records them.
type fakeKMS struct {
	mu      sync.Mutex
	answers map[string]string // operation → response body
	calls   []string          // "Operation body"
}

func (f *fakeKMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, op+" "+string(body))
	answer, ok := f.answers[op]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		answer = `{"__type":"UnsupportedOperationException","message":"not in the fake"}`
	}
	_, _ = io.WriteString(w, answer)
}

func startFakeKMS(t *testing.T, answers map[string]string) (*fakeKMS, KMSConfig) {
	kmsEnv(t)
	f := &fakeKMS{answers: answers}
	f.answers["ListKeys"] = `{"Keys":[]}`
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, KMSConfig{Endpoint: srv.URL}
}

const fakeARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func describeAnswer(md map[string]any) string {
	md["Arn"] = fakeARN
	b, _ := json.Marshal(map[string]any{"KeyMetadata": md})
	return string(b)
}

// TestRotateCheckKMS: only an Enabled SYMMETRIC_DEFAULT key of origin
// EXTERNAL with current material is rotated.
func TestRotateCheckKMS(t *testing.T) {
	for _, c := range []struct {
		name string
		md   map[string]any
		want string
	}{
		{"ok", map[string]any{"Origin": "EXTERNAL", "KeySpec": "SYMMETRIC_DEFAULT", "KeyState": "Enabled", "CurrentKeyMaterialId": "m1"}, ""},
		{"AWS_KMS", map[string]any{"Origin": "AWS_KMS", "KeySpec": "SYMMETRIC_DEFAULT", "KeyState": "Enabled", "CurrentKeyMaterialId": "m1"}, "has origin AWS_KMS"},
		{"HMAC", map[string]any{"Origin": "EXTERNAL", "KeySpec": "HMAC_256", "KeyState": "Enabled", "CurrentKeyMaterialId": "m1"}, "is a HMAC_256 key: KMS rotates imported key material of SYMMETRIC_DEFAULT keys only"},
		{"Disabled", map[string]any{"Origin": "EXTERNAL", "KeySpec": "SYMMETRIC_DEFAULT", "KeyState": "Disabled", "CurrentKeyMaterialId": "m1"}, "is Disabled, not Enabled"},
		{"no material", map[string]any{"Origin": "EXTERNAL", "KeySpec": "SYMMETRIC_DEFAULT", "KeyState": "Enabled"}, "names no current key material"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, cfg := startFakeKMS(t, map[string]string{"DescribeKey": describeAnswer(c.md)})
			r, err := NewRotate(RotateOptions{KMS: cfg, KeyID: "alias/k", Key: KeyChoice{Generate: true}, Spec: "RSA_2048"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.checkKMS(context.Background())
			if c.want == "" {
				if err != nil || r.probe.materialID != "m1" || r.res.KeyARN != fakeARN {
					t.Fatalf("checkKMS = %v, material %q, arn %q", err, r.probe.materialID, r.res.KeyARN)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("checkKMS = %v, want %q", err, c.want)
			}
		})
	}
}

// TestRotateUndoImport: a failed run deletes the new material while it
// is pending, and never once the rotation made it current.
func TestRotateUndoImport(t *testing.T) {
	del := `DeleteImportedKeyMaterial {"KeyId":"` + fakeARN + `","KeyMaterialId":"new"}`
	for _, c := range []struct {
		name               string
		imported, rotated  bool
		current            string // DescribeKey's CurrentKeyMaterialId
		wantCall, wantText string
	}{
		{"pending", true, false, "old", del, "deleted the pending key material new"},
		{"rotated despite an error", true, false, "new", "", "kept the new key material new"},
		{"rotated", true, true, "new", "", ""},
		{"not imported", false, false, "old", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, cfg := startFakeKMS(t, map[string]string{"DeleteImportedKeyMaterial": `{"KeyId":"` + fakeARN + `","KeyMaterialId":"new"}`,
				"DescribeKey": describeAnswer(map[string]any{"CurrentKeyMaterialId": c.current})})
			conn, err := Connect(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := &Rotate{conn: conn, arn: fakeARN, imported: c.imported, rotated: c.rotated}
			r.res.KeyMaterialID = "new"
			got := r.undoImport(context.Background())
			f.mu.Lock()
			var calls []string // after Connect's ListKeys, but DescribeKey
			for _, call := range f.calls[1:] {
				if !strings.HasPrefix(call, "DescribeKey ") {
					calls = append(calls, call)
				}
			}
			f.mu.Unlock()
			if !strings.HasPrefix(got, c.wantText) || (c.wantText == "") != (got == "") {
				t.Errorf("undo said %q, want %q", got, c.wantText)
			}
			if c.wantCall == "" && len(calls) != 0 || c.wantCall != "" && (len(calls) != 1 || calls[0] != c.wantCall) {
				t.Errorf("calls %q, want %q", calls, c.wantCall)
			}
		})
	}
}

// TestNewRotateUsage: the options are checked before anything runs.
func TestNewRotateUsage(t *testing.T) {
	for _, c := range []struct {
		name string
		o    RotateOptions
		want string
	}{
		{"no key id", RotateOptions{Key: KeyChoice{Generate: true}, Spec: "RSA_2048"}, "--key-id"},
		{"no hsm key", RotateOptions{KeyID: "k", Spec: "RSA_2048"}, "--hsm-key"},
		{"bad spec", RotateOptions{KeyID: "k", Key: KeyChoice{Generate: true}, Spec: "RSA_1024"}, "--wrapping-key-spec"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewRotate(c.o)
			var u UsageError
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &u) {
				t.Fatalf("NewRotate = %v, want a usage error about %s", err, c.want)
			}
		})
	}
}
