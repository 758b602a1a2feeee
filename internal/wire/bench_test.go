package wire

import (
	"encoding/base64"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// encryptBody is an Encrypt request as an SDK sends it, with a plaintext
// of n bytes.
func encryptBody(n int) []byte {
	pt := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("p", n)))
	return []byte(`{"EncryptionContext":{"app":"bench","tenant":"t-42"},"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","Plaintext":"` + pt + `"}`)
}

// BenchmarkDecodeEncrypt measures Decode and Validate of an Encrypt
// request, the hot path of every Encrypt call.
func BenchmarkDecodeEncrypt(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"32B", 32}, {"4KiB", 4096}} {
		body := encryptBody(size.n)
		b.Run(size.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				var in EncryptRequest
				if err := Decode(body, &in); err != nil {
					b.Fatal(err)
				}
				if err := in.Validate(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStrictCheck measures the strict pre-pass alone (UTF-8 and
// structure walk), the cost Decode adds to encoding/json.
func BenchmarkStrictCheck(b *testing.B) {
	sc := schemaOf(reflect.TypeFor[*EncryptRequest]())
	for _, n := range []int{32, 4096} {
		body := encryptBody(n)
		b.Run(strconv.Itoa(n)+"B", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := strictCheck(body, sc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
