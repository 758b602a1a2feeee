package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/sigv4"
)

// vanishingKeys knows the secret of one key but, asked for its principal,
// answers as if the key was deleted in between.
type vanishingKeys struct{}

func (vanishingKeys) Secret(context.Context, string) ([]byte, error) { return []byte("secret"), nil }

func (vanishingKeys) Principal(context.Context, string) (identity.Principal, error) {
	return identity.Principal{}, fmt.Errorf("accesskey: %w", sigv4.ErrUnknownAccessKey)
}

// TestKeyDeletedBetweenLookups: a key deleted between the signature check
// and the principal's lookup is UnrecognizedClient, the same answer as an
// unknown key, on every route — not an internal error.
func TestKeyDeletedBetweenLookups(t *testing.T) {
	keys := vanishingKeys{}
	a := &SigV4{Default: "kms", Keys: keys, Verifiers: map[string][]*sigv4.Verifier{
		"kms": {{Service: "kms", Region: "us-east-1", Lookup: keys.Secret}}}}
	body := []byte(`{}`)
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(string(body)))
	sigv4.Sign(r, body, "AKIAGONE000000000000", []byte("secret"), "us-east-1", "kms", time.Now().UTC())
	_, err := a.Authenticate(context.Background(), &Exchange{Request: r, Body: body})
	var se *sigv4.Error
	if !errors.As(err, &se) || !errors.Is(err, sigv4.ErrUnrecognizedClient) {
		t.Fatalf("err = %v, want UnrecognizedClient", err)
	}
	if se.Message != "The security token included in the request is invalid." {
		t.Errorf("message %q", se.Message)
	}
}

func TestSigV4PicksTheScopesRegion(t *testing.T) {
	iamGlobal := &sigv4.Verifier{Service: "iam", Region: "us-east-1"}
	iamLocal := &sigv4.Verifier{Service: "iam", Region: "eu-west-1"}
	a := &SigV4{Default: "iam", Verifiers: map[string][]*sigv4.Verifier{"iam": {iamGlobal, iamLocal}}}
	for _, tt := range []struct {
		auth string
		want *sigv4.Verifier
	}{
		{"AWS4-HMAC-SHA256 Credential=AKIA/20260101/eu-west-1/iam/aws4_request, SignedHeaders=host, Signature=x", iamLocal},
		{"AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x", iamGlobal},
		{"AWS4-HMAC-SHA256 Credential=AKIA/20260101/ap-south-1/iam/aws4_request, SignedHeaders=host, Signature=x", iamGlobal},
		{"", iamGlobal},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if tt.auth != "" {
			r.Header.Set("Authorization", tt.auth)
		}
		if got := a.verifier(r, "iam"); got != tt.want {
			t.Errorf("%q: verifier for %s, want %s", tt.auth, got.Region, tt.want.Region)
		}
	}
}
