package iamapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
)

// call is what one request leaves for its audit record.
type call struct {
	reqID     string
	action    string
	service   string              // "iam" or "sts"
	principal *identity.Principal // nil if not authenticated
	form      url.Values          // the parameters, once authenticated
	result    any                 // the answer of a successful call
	errCode   string
	errMsg    string
}

// record writes the audit record of c, as CloudTrail records IAM and STS
// calls: IAM's in us-east-1, STS's in the server's region. Every request
// gets one, refused and unauthenticated ones too. Response elements are
// recorded for changes only (CloudTrail's rule); they never hold a secret
// access key, which is not encoded in JSON.
func (h *Handler) record(r *http.Request, c *call) {
	if h.cfg.Audit == nil {
		return
	}
	rec := audit.NewAPICall(r, audit.SourceIAM, c.action, globalRegion, h.cfg.AccountID, c.reqID)
	rec.ErrorCode, rec.ErrorMessage = c.errCode, c.errMsg
	if c.service == "sts" {
		rec.EventSource, rec.AWSRegion = audit.SourceSTS, h.cfg.Region
	}
	if c.principal != nil {
		rec.UserIdentity = audit.IdentityOf(*c.principal)
		rec.RequestParameters = requestParameters(c.form)
	}
	if c.result != nil && c.errCode == "" && actions[c.action] != nil && actions[c.action].mutates {
		if b, err := json.Marshal(c.result); err == nil {
			rec.ResponseElements = audit.RedactParameters(b)
		}
	}
	if err := h.cfg.Audit.Write(rec); err != nil {
		h.cfg.Logger.Error("AUDIT LOG WRITE FAILED: requests are not being recorded", "err", err)
	}
}

// requestParameters are the call's parameters but Action and Version,
// named as CloudTrail names them (UserName → userName). No IAM parameter
// of these actions is secret.
func requestParameters(form url.Values) json.RawMessage {
	m := make(map[string]string, len(form))
	for k, v := range form {
		if k == "Action" || k == "Version" || len(v) == 0 || strings.HasPrefix(k, "X-Amz-") {
			continue
		}
		m[memberName(k)] = v[0]
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return b
}
