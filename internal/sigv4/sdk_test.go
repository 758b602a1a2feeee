package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

func payloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

var sdkCreds = aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}

// TestSDKSigner checks that requests signed by aws-sdk-go-v2's own signer, in
// both forms, verify, and that Trent's Sign and Presign agree with it.
func TestSDKSigner(t *testing.T) {
	ctx := context.Background()
	signer := v4.NewSigner()
	tests := []struct {
		name    string
		request func(t *testing.T) *http.Request
	}{
		{"SignHTTP", func(t *testing.T) *http.Request {
			r := kmsRequest(t, kmsBody)
			if err := signer.SignHTTP(ctx, sdkCreds, r, payloadHash(kmsBody), "kms", testRegion, testNow); err != nil {
				t.Fatal(err)
			}
			return r
		}},
		{"SignHTTP with query and odd path", func(t *testing.T) *http.Request {
			r := kmsRequest(t, kmsBody)
			r.URL.Path = "/a b/ሴ"
			r.URL.RawQuery = "b=2&a=x+y&a=%2F&c"
			if err := signer.SignHTTP(ctx, sdkCreds, r, payloadHash(kmsBody), "kms", testRegion, testNow); err != nil {
				t.Fatal(err)
			}
			return r
		}},
		{"PresignHTTP", func(t *testing.T) *http.Request {
			r := kmsRequest(t, nil)
			r.Method = http.MethodGet
			r.URL.RawQuery = "X-Amz-Expires=900"
			u, hdr, err := signer.PresignHTTP(ctx, sdkCreds, r, payloadHash(nil), "kms", testRegion, testNow.Add(-10*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			p, err := http.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range hdr {
				if k != "Host" {
					p.Header[k] = v
				}
			}
			return p
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.request(t)
			var body []byte
			if r.Method == http.MethodPost {
				body = kmsBody
			}
			id, err := kmsVerifier().Verify(ctx, r, body)
			if err != nil || id != testAKID {
				t.Fatalf("Verify = %q, %v", id, err)
			}
		})
	}

	t.Run("Sign equals SignHTTP", func(t *testing.T) {
		// Without a body the SDK signs exactly the headers Sign chooses
		// (with one it adds content-length), so the headers must be equal.
		a, b := kmsRequest(t, nil), kmsRequest(t, nil)
		if err := signer.SignHTTP(ctx, sdkCreds, a, payloadHash(nil), "kms", testRegion, testNow); err != nil {
			t.Fatal(err)
		}
		Sign(b, nil, testAKID, []byte(testSecret), testRegion, "kms", testNow)
		if x, y := a.Header.Get("Authorization"), b.Header.Get("Authorization"); x != y {
			t.Errorf("Sign:     %s\nSignHTTP: %s", y, x)
		}
	})

	t.Run("Presign verifies", func(t *testing.T) {
		r := kmsRequest(t, kmsBody)
		Presign(r, kmsBody, testAKID, []byte(testSecret), testRegion, "kms", testNow.Add(-time.Minute), 15*time.Minute)
		if _, err := kmsVerifier().Verify(ctx, r, kmsBody); err != nil {
			t.Fatal(err)
		}
	})
}

// TestKMSClientEndToEnd sends real aws-sdk-go-v2 KMS client calls to an
// httptest server whose handler verifies them from the wire, so that the
// server-side view (RequestURI, Content-Length header, every header the SDK
// adds) is covered, not only requests built in-process.
func TestKMSClientEndToEnd(t *testing.T) {
	v := &Verifier{Service: "kms", Region: testRegion, Lookup: staticLookup(map[string]string{testAKID: testSecret})}
	var gotID string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id, err := v.Verify(r.Context(), r, body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"__type": e.Kind.Error(), "message": e.Message})
			return
		}
		gotID = id
		io.WriteString(w, `{"Keys":[],"Truncated":false}`)
	}))
	defer srv.Close()

	client := func(secret string) *kms.Client {
		return kms.New(kms.Options{
			Region:       testRegion,
			BaseEndpoint: aws.String(srv.URL),
			Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: secret}, nil
			})),
			RetryMaxAttempts: 1,
		})
	}
	if _, err := client(testSecret).ListKeys(context.Background(), &kms.ListKeysInput{Limit: aws.Int32(5)}); err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	if gotID != testAKID {
		t.Fatalf("access key = %q", gotID)
	}
	_, err := client("not-the-secret").ListKeys(context.Background(), &kms.ListKeysInput{})
	if err == nil {
		t.Fatal("a wrong secret was accepted")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidSignatureException" || ae.ErrorMessage() != msgMismatch {
		t.Fatalf("err = %v, want InvalidSignatureException with the mismatch message", err)
	}
}
