package api

import (
	"errors"
	"fmt"
	"testing"

	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/sigv4"
)

// TestToWireOwnMessage checks that clients get the typed error's own
// message, never the text of the chain that wraps it.
func TestToWireOwnMessage(t *testing.T) {
	secretDetail := "store: row 42 of /var/lib/trent/trent.db"
	tests := []struct {
		name      string
		err       error
		typ, msg  string
		status    int
		wantKnown bool
	}{
		{"kms error", &kms.Error{Kind: kms.ErrNotFound, Message: "Key 'k' does not exist"},
			"NotFoundException", "Key 'k' does not exist", 400, true},
		{"wrapped kms error", fmt.Errorf("%s: %w", secretDetail, &kms.Error{Kind: kms.ErrDisabled, Message: "k is disabled."}),
			"DisabledException", "k is disabled.", 400, true},
		{"wrapped sigv4 error", fmt.Errorf("verify %s: %w", secretDetail, sigv4.UnknownClient()),
			"UnrecognizedClientException", "The security token included in the request is invalid.", 400, true},
		{"bare kind wrapped", fmt.Errorf("%s: %w", secretDetail, kms.ErrInvalidCiphertext),
			"InvalidCiphertextException", "", 400, true},
		{"too large", frontdoor.ErrTooLarge, "RequestEntityTooLargeException", "Request entity too large", 413, true},
		{"audit unavailable", frontdoor.ErrAuditUnavailable, "KMSInternalException", "An internal error occurred. Retry the request.", 500, true},
		{"internal", errors.New(secretDetail), "KMSInternalException", "An internal error occurred. Retry the request.", 500, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			we, known := toWire(tt.err)
			if we.Type != tt.typ || we.Message != tt.msg || we.Status != tt.status || known != tt.wantKnown {
				t.Errorf("toWire = %q %q %d known=%v, want %q %q %d known=%v",
					we.Type, we.Message, we.Status, known, tt.typ, tt.msg, tt.status, tt.wantKnown)
			}
		})
	}
}
