package api

import (
	"net/http"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
)

// cryptoOps return data, not state: CloudTrail records no response
// elements for them (and the response holds plaintext or ciphertext).
var cryptoOps = map[string]bool{
	"Encrypt": true, "Decrypt": true, "ReEncrypt": true, "GenerateDataKey": true,
	"GenerateDataKeyWithoutPlaintext": true, "GenerateRandom": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true,
	"Sign": true, "Verify": true, "GenerateMac": true, "VerifyMac": true, "DeriveSharedSecret": true,
}

// call is what one request leaves for its audit record.
type call struct {
	reqID     string
	op        string
	principal *identity.Principal // nil if not authenticated
	body      []byte              // the request body, once read
	response  []byte              // the JSON answer of a successful call
	trace     *kms.Trace
	errType   string
	errMsg    string
}

// record writes the audit record of c. Every request gets one: denied and
// failed ones too, and unauthenticated ones (without an identity).
func (h *Handler) record(r *http.Request, c *call) {
	if h.cfg.Audit == nil {
		return
	}
	rec := audit.NewAPICall(r, audit.SourceKMS, c.op, h.cfg.KMS.Region(), h.cfg.KMS.AccountID(), c.reqID)
	rec.ErrorCode, rec.ErrorMessage = c.errType, c.errMsg
	if c.principal != nil {
		rec.UserIdentity = audit.IdentityOf(*c.principal)
		// Only an authenticated caller's parameters are worth recording;
		// an anonymous body may be anything.
		rec.RequestParameters = audit.RedactParameters(c.body)
	}
	if c.response != nil && !cryptoOps[c.op] {
		rec.ResponseElements = audit.RedactParameters(c.response)
	}
	if c.trace != nil {
		for _, arn := range c.trace.KeyARNs {
			rec.Resources = append(rec.Resources, audit.Resource{AccountID: h.cfg.KMS.AccountID(), Type: audit.KeyResourceType, ARN: arn})
		}
	}
	if err := h.cfg.Audit.Write(rec); err != nil {
		h.cfg.Logger.Error("AUDIT LOG WRITE FAILED: requests are not being recorded", "err", err)
	}
}
