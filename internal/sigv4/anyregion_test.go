package sigv4

import (
	"context"
	"strings"
	"testing"
)

// TestAnyRegion checks that a Verifier with AnyRegion takes the region
// from the credential scope (as an XKS proxy must, serving KMS of every
// region) while a plain Verifier keeps refusing other regions, and that
// the signature stays bound to the region it was made for.
func TestAnyRegion(t *testing.T) {
	for _, tc := range []struct {
		name      string
		anyRegion bool
		signIn    string // region the client signs for
		scopeAs   string // region written into the scope ("" = signIn)
		wantErr   error
	}{
		{"pinned, same region", false, testRegion, "", nil},
		{"pinned, other region", false, "eu-west-1", "", ErrInvalidSignature},
		{"any, other region", true, "eu-west-1", "", nil},
		{"any, scope rewritten", true, "eu-west-1", "ap-south-1", ErrInvalidSignature},
		// A verifier of every region has no region of its own (the XKS
		// proxy's): an empty scope region must not match it.
		{"any, empty region", true, "", "", ErrInvalidSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kmsVerifier()
			v.AnyRegion = tc.anyRegion
			if tc.anyRegion {
				v.Region = ""
			}
			r := kmsRequest(t, kmsBody)
			Sign(r, kmsBody, testAKID, []byte(testSecret), tc.signIn, "kms", testNow)
			if tc.scopeAs != "" {
				h := r.Header.Get("Authorization")
				r.Header.Set("Authorization", strings.Replace(h, "/"+tc.signIn+"/", "/"+tc.scopeAs+"/", 1))
			}
			_, err := v.Verify(context.Background(), r, kmsBody)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			wantError(t, err, tc.wantErr, "")
		})
	}
}
