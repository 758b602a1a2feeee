package api

import (
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/frontdoor"
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

// Record implements frontdoor.Protocol: the CloudTrail record of a KMS
// call. Every request gets one: denied and failed ones too, and
// unauthenticated ones (without an identity or parameters).
func (h *Handler) Record(x *frontdoor.Exchange) *audit.Record {
	region, account := h.cfg.KMS.Region(), h.cfg.KMS.AccountID()
	rec := audit.NewAPICall(x.Request, audit.SourceKMS, x.Op, region, account, x.ID)
	if x.Failed() {
		rec.ErrorCode, rec.ErrorMessage = x.Outcome, x.ErrorMessage
	}
	if x.Principal != nil {
		rec.UserIdentity = audit.IdentityOf(*x.Principal)
		// Only an authenticated caller's parameters are worth recording;
		// an anonymous body may be anything.
		rec.RequestParameters = audit.RedactParameters(x.Body)
	}
	if !x.Failed() && x.Principal != nil && !cryptoOps[x.Op] {
		resp := x.Response
		if len(resp) == 0 {
			resp = []byte("{}")
		}
		rec.ResponseElements = audit.RedactParameters(resp)
	}
	if trace, ok := x.State.(*kms.Trace); ok && trace != nil {
		for _, arn := range trace.KeyARNs {
			rec.Resources = append(rec.Resources, audit.Resource{AccountID: account, Type: audit.KeyResourceType, ARN: arn})
		}
	}
	h.recordKeyUsage(x, rec)
	return rec
}
