package sigv4

import (
	"context"
	"net/http"
	"testing"
)

// benchRequest is a KMS Encrypt call as aws-sdk-go-v2 sends it (the SDK's
// informational headers included), signed at testNow.
func benchRequest(b *testing.B) *http.Request {
	r := kmsRequest(b, kmsBody)
	r.Header.Set("Amz-Sdk-Invocation-Id", "8b7b1e4c-2f0c-4f3e-9a53-0f2b8c6c1e11")
	r.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	r.Header.Set("User-Agent", "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26 api/kms#1.62.6")
	Sign(r, kmsBody, testAKID, []byte(testSecret), testRegion, "kms", testNow)
	return r
}

// BenchmarkVerify measures the hot path: a valid header-form request whose
// signing key is cached (the steady state of a server).
func BenchmarkVerify(b *testing.B) {
	v := kmsVerifier()
	r := benchRequest(b)
	ctx := context.Background()
	if _, err := v.Verify(ctx, r, kmsBody); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, kmsBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyParallel is BenchmarkVerify from all Ps at once, to show the
// cache and the buffer pool do not serialise requests.
func BenchmarkVerifyParallel(b *testing.B) {
	v := kmsVerifier()
	r := benchRequest(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(ctx, r, kmsBody); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkVerifyUncached derives the signing key on every call, the cost
// of a cache miss.
func BenchmarkVerifyUncached(b *testing.B) {
	r := benchRequest(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kmsVerifier().Verify(ctx, r, kmsBody); err != nil {
			b.Fatal(err)
		}
	}
}
